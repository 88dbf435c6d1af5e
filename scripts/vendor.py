"""Vendor binance_margin (and binance_margin_api) into another project under a private import path.

    python scripts/vendor.py DEST_DIR --prefix consumer._vendor

copies `overrides/binance_margin` and `generated_client/binance_margin_api` into DEST_DIR (which must be
the directory of the package `--prefix` names, e.g. `consumer/_vendor`: a contradiction is refused) and
rewrites every absolute import of a vendored package to go through the prefix, the way pip vendors its
dependencies:

    from binance_margin_api.models import X   ->  from consumer._vendor.binance_margin_api.models import X
    import binance_margin_api                  ->  from consumer._vendor import binance_margin_api
    import binance_margin_api.types as t       ->  import consumer._vendor.binance_margin_api.types as t

Relative imports are left alone. Imports are found with `ast` (not regexes), so strings, comments and
names that merely start with a vendored name are never touched. A form that cannot be rewritten without
changing what name it binds (`import binance_margin_api.types` without `as`) is refused, loudly. The
runtime dependencies (httpx, attrs, cryptography, limits) are not vendored: the consumer installs them.
The consumer's copies keep their own logger name ("binance_margin") and are otherwise byte-identical.
Each copy gets a VENDORED.txt with the package version and the source commit (`git rev-parse HEAD`, or
"unknown" outside a git checkout).
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES: dict[str, Path] = {
    "binance_margin": ROOT / "overrides" / "binance_margin",
    "binance_margin_api": ROOT / "generated_client" / "binance_margin_api",
}
VENDORED_NOTE = "vendored from binance-margin by scripts/vendor.py: do not edit, re-vendor instead"


class VendorError(Exception):
    """An import that cannot be rewritten safely, or a bad destination."""


def check_destination(dest: Path, prefix: str) -> None:
    """`dest` must be the directory of the package `prefix` names: its last parts are the prefix's."""
    parts = prefix.split(".")
    tail = dest.resolve().parts[-len(parts) :]
    if list(tail) != parts:
        expected = "/".join(parts)
        raise VendorError(
            f"the destination {dest} is not the directory of --prefix {prefix}: it must end in "
            f"{expected}/ (e.g. src/{expected}), so that `import {prefix}` finds the vendored copies"
        )


def source_version() -> str:
    """The version of the package being vendored (pyproject.toml of this checkout)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return str(project["version"])


def source_commit() -> str:
    """The checkout's commit (`git rev-parse HEAD`), with a note when the vendored files have local
    changes; "unknown" when there is no git or no repository."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", *(str(path) for path in PACKAGES.values())],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head} (with uncommitted changes)" if dirty else head


def vendored_note(version: str, commit: str) -> str:
    """What VENDORED.txt says: do not edit, and where the copy came from."""
    return f"{VENDORED_NOTE}\nversion: {version}\ncommit: {commit}\n"


def _vendored(module: str | None, names: Iterable[str]) -> bool:
    return module is not None and any(module == name or module.startswith(name + ".") for name in names)


def rewrite_source(source: str, prefix: str, names: Iterable[str], filename: str = "<source>") -> str:
    """`source` with every absolute import of a package in `names` moved under `prefix`."""
    names = tuple(names)
    tree = ast.parse(source, filename=filename)
    edits: list[tuple[int, int, int, int, str]] = []  # (line, col, end line, end col, replacement)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and _vendored(node.module, names):
            replacement = _rewrite_from(source, node, prefix)
        elif isinstance(node, ast.Import) and any(_vendored(alias.name, names) for alias in node.names):
            replacement = _rewrite_import(node, prefix, names, filename)
        else:
            continue
        end_line = node.end_lineno or node.lineno
        edits.append((node.lineno, node.col_offset, end_line, node.end_col_offset or 0, replacement))
    if not edits:
        return source
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def position(line: int, col: int) -> int:
        # ast offsets are in UTF-8 bytes within the line.
        text = lines[line - 1].encode("utf-8")[:col].decode("utf-8")
        return offsets[line - 1] + len(text)

    result = source
    for line, col, end_line, end_col, replacement in sorted(edits, reverse=True):
        start, end = position(line, col), position(end_line, end_col)
        result = result[:start] + replacement + result[end:]
    return result


def _rewrite_from(source: str, node: ast.ImportFrom, prefix: str) -> str:
    text = ast.get_source_segment(source, node)
    assert text is not None and node.module is not None
    at = text.find(node.module)  # the module follows `from` and whitespace: its first occurrence
    if not text.startswith("from") or at < 0:
        raise VendorError(f"unexpected import statement {text!r}")
    return text[:at] + f"{prefix}.{node.module}" + text[at + len(node.module) :]


def _rewrite_import(node: ast.Import, prefix: str, names: tuple[str, ...], filename: str) -> str:
    statements = []
    for alias in node.names:
        if not _vendored(alias.name, names):
            statements.append(f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else ""))
        elif "." not in alias.name:
            statements.append(
                f"from {prefix} import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
            )
        elif alias.asname:
            statements.append(f"import {prefix}.{alias.name} as {alias.asname}")
        else:
            raise VendorError(
                f"{filename}:{node.lineno}: `import {alias.name}` binds `{alias.name.split('.')[0]}`; "
                f"vendored it would bind `{prefix.split('.')[0]}`: write `from ... import` or `import ... as`"
            )
    return "; ".join(statements)


def vendor(dest: Path, prefix: str, packages: dict[str, Path] | None = None) -> list[Path]:
    """Copy `packages` (default: binance_margin and binance_margin_api) into `dest`, imports rewritten."""
    packages = PACKAGES if packages is None else packages
    if not prefix.isascii() or not all(part.isidentifier() for part in prefix.split(".")):
        raise VendorError(f"--prefix {prefix!r} is not a dotted module path")
    check_destination(dest, prefix)
    note = vendored_note(source_version(), source_commit())
    dest.mkdir(parents=True, exist_ok=True)
    init = dest / "__init__.py"
    if not init.exists():
        init.write_text(f'"""Vendored packages ({VENDORED_NOTE})."""\n', encoding="utf-8")
    written = []
    for name, source_dir in packages.items():
        target = dest / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(
            source_dir, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ruff_cache")
        )
        for path in sorted(target.rglob("*.py")):
            original = path.read_text(encoding="utf-8")
            rewritten = rewrite_source(original, prefix, packages, filename=str(path))
            if rewritten != original:
                path.write_text(rewritten, encoding="utf-8")
            written.append(path)
        (target / "VENDORED.txt").write_text(note, encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/vendor.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dest", type=Path, help="directory of the vendor package (e.g. src/consumer/_vendor)")
    parser.add_argument("--prefix", required=True, help="its import path (e.g. consumer._vendor)")
    args = parser.parse_args(argv)
    try:
        files = vendor(args.dest, args.prefix)
    except VendorError as error:
        print(f"vendor: {error}", file=sys.stderr)
        return 1
    print(f"vendor: wrote {len(files)} modules under {args.dest} (import path {args.prefix})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
