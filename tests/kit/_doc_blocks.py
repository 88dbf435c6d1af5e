"""Code blocks of a markdown file, with the marker that says how a test uses each one.

A marker is an HTML comment on the line right above the block, invisible on the rendered page:

    <!-- example: pytest -->            a test file: written out, run with pytest (and mypy --strict)
    <!-- example: pytest, mypy -->      the same, said explicitly
    <!-- example: pytest config -->     the pyproject.toml such a test file runs with
    <!-- example: console -->           `$ command` lines, each followed by the output it prints
    <!-- example: file PATH -->         the block is the repository file PATH, verbatim
    <!-- example: fault rule -->        a fault rule the control endpoint must accept
    <!-- example: output -->            output only: not run

An unmarked `python` block is a script, run as it is in a fresh interpreter.

markdown-it-py (CommonMark) finds the blocks, so a fence inside a list item and an indented code block
are blocks too: a command a reader would copy cannot hide from the checks by its indentation.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from markdown_it import MarkdownIt

_MARKER = re.compile(r"^<!--\s*example:\s*(?P<what>.+?)\s*-->$")


@dataclasses.dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line where the block starts (its opening fence)
    language: str  # the fence's info string; "" for an indented code block
    marker: str | None  # the marker's text after "example:", or None
    text: str  # the content, without the indentation of an enclosing list item

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


def blocks(path: Path) -> list[Block]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found: list[Block] = []
    for token in MarkdownIt("commonmark").parse(source):
        if token.type not in ("fence", "code_block") or token.map is None:
            continue
        start = token.map[0]
        marker = _MARKER.match(lines[start - 1].strip()) if start > 0 else None
        found.append(
            Block(
                path=path,
                line=start + 1,
                language=token.info.split(maxsplit=1)[0] if token.info.strip() else "",
                marker=marker["what"] if marker else None,
                text=token.content,
            )
        )
    return found
