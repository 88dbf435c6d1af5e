"""The size of the hand-written package, `overrides/`, now and at a baseline commit: lines and code lines.

Code lines leave out blank lines, comments and docstrings (Python's `tokenize` and `ast`), so moving words
between docstrings and documents changes nothing here. The baseline is read from git (`git show`); outside
a git checkout only the current size is reported.
"""

from __future__ import annotations

import ast
import io
import subprocess
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "overrides"
# The last commit before the one call engine (issue "one call engine on well-kept HTTP"): what it shrinks.
BASELINE = "d477834"
_SKIPPED = (
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
)


@dataclass(frozen=True)
class Size:
    files: int
    lines: int
    code_lines: int


def code_lines(source: str) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and body:
            first = body[0]
            value = first.value if isinstance(first, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str) and first.end_lineno:
                docstrings.update(range(first.lineno, first.end_lineno + 1))
    code: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in _SKIPPED:
            code.update(line for line in range(token.start[0], token.end[0] + 1) if line not in docstrings)
    return len(code)


def _size(sources: list[str]) -> Size:
    return Size(len(sources), sum(len(s.splitlines()) for s in sources), sum(map(code_lines, sources)))


def current() -> Size:
    return _size([path.read_text(encoding="utf-8") for path in sorted((ROOT / PACKAGE).rglob("*.py"))])


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def at(commit: str) -> Size | str:
    """The package's size at `commit`, or why it cannot be read."""
    try:
        names = _git("ls-tree", "-r", "--name-only", commit, "--", PACKAGE).split()
        return _size([_git("show", f"{commit}:{name}") for name in names if name.endswith(".py")])
    except (OSError, subprocess.CalledProcessError) as error:
        return f"{type(error).__name__} (not a git checkout, or {commit} is not in its history)"


def table(now: Size, baseline: Size | str) -> tuple[list[str], list[str]]:
    """The table of `overrides/`'s size now and at the baseline, and its target line."""
    lines = [
        f"### Size of `{PACKAGE}/` (code lines: no blanks, comments or docstrings)",
        "",
        "| tree | files | lines | code lines |",
        "|---|---|---|---|",
        f"| now | {now.files} | {now.lines:,} | {now.code_lines:,} |",
    ]
    if isinstance(baseline, str):
        return [*lines, "", f"Baseline {BASELINE} unavailable: {baseline}", ""], []
    lines.append(f"| {BASELINE} | {baseline.files} | {baseline.lines:,} | {baseline.code_lines:,} |")
    ratio = now.code_lines / baseline.code_lines
    met = now.code_lines < baseline.code_lines and now.lines < baseline.lines
    target = [
        f"- `{PACKAGE}/` smaller than at {BASELINE}: {ratio:.2f}× its code lines, "
        f"{now.lines / baseline.lines:.2f}× its lines: {'MET' if met else 'NOT MET'}"
    ]
    return [*lines, ""], target
