"""Spec -> package: openapi-python-client output plus py.typed and the spec metadata module."""

from __future__ import annotations

import filecmp
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from ._exact import apply_exact
from ._metadata import render_metadata
from ._paths import GENERATED_PACKAGE, METADATA_MODULE, SPEC_PATH
from ._pins import check_pins
from ._spec import load_spec

_CONFIG = Path(__file__).with_name("config.yaml")
# Templates that replace openapi-python-client's own (same file names); see templates/README.md.
_TEMPLATES = Path(__file__).with_name("templates")


def _ruff() -> str:
    # The pinned ruff's own binary: `python -m ruff` run inside the output would import the generated
    # types.py instead of the standard library's when PYTHONPATH holds relative entries.
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    return str(find_ruff_bin())


def _ruff_commands(*targets: str) -> list[list[str]]:
    # --isolated: ignore the enclosing repository's ruff config; --no-cache: leave no .ruff_cache behind.
    return [
        [_ruff(), "check", *targets, "--fix-only", "--isolated", "--no-cache", "--quiet"],
        [_ruff(), "format", *targets, "--isolated", "--no-cache", "--quiet"],
    ]


def _post_hooks() -> list[str]:
    return [shlex.join(command) for command in _ruff_commands(".")]


def _run(command: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"generator: {' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def build(spec_path: Path, out: Path) -> None:
    """Write the whole generated package for `spec_path` into `out` (which must not exist)."""
    check_pins()
    with tempfile.TemporaryDirectory() as scratch:
        config = Path(scratch) / "config.yaml"
        settings = yaml.safe_load(_CONFIG.read_text(encoding="utf-8"))
        settings["post_hooks"] = _post_hooks()
        config.write_text(yaml.safe_dump(settings), encoding="utf-8")
        _run(
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--path",
                str(spec_path),
                "--config",
                str(config),
                "--custom-template-path",
                str(_TEMPLATES),
                "--meta",
                "none",
                "--output-path",
                str(out),
                "--overwrite",
                "--fail-on-warning",
            ]
        )
    spec = load_spec(spec_path)
    # Exact models: a post-step (templates cannot change a type or check one); the files it rewrote,
    # formatted at once.
    rewritten = [str(path) for path in apply_exact(spec, out)]
    if rewritten:  # no targets would make ruff work on the whole directory
        for command in _ruff_commands(*rewritten):
            _run(command, cwd=out)
    (out / "py.typed").write_text("", encoding="utf-8")
    (out / METADATA_MODULE).write_text(render_metadata(spec), encoding="utf-8")
    _run([_ruff(), "format", METADATA_MODULE, "--isolated", "--no-cache", "--quiet"], cwd=out)


def _files(root: Path) -> dict[str, Path]:
    return {
        str(path.relative_to(root)): path
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def differences(expected: Path, actual: Path) -> list[str]:
    """Human-readable lines naming every file that is missing, extra or different in `actual`."""
    want, have = _files(expected), _files(actual)
    lines = [f"missing: {name}" for name in sorted(want.keys() - have.keys())]
    lines += [f"not generated from the spec: {name}" for name in sorted(have.keys() - want.keys())]
    lines += [
        f"differs: {name}"
        for name in sorted(want.keys() & have.keys())
        if not filecmp.cmp(want[name], have[name], shallow=False)
    ]
    return lines


def generate(spec_path: Path = SPEC_PATH, target: Path = GENERATED_PACKAGE) -> None:
    """Regenerate `target` from the spec, removing files the spec no longer produces."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / target.name
        build(spec_path, fresh)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(fresh, target)


def check(spec_path: Path = SPEC_PATH, target: Path = GENERATED_PACKAGE) -> list[str]:
    """Differences between the committed package and what the spec produces (empty when fresh)."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / target.name
        build(spec_path, fresh)
        if not target.exists():
            return [f"missing: {target}"]
        return differences(fresh, target)
