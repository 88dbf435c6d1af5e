"""Fenced code blocks of a markdown file, with the marker that says how a test uses each one.

A marker is an HTML comment on the line right above the fence, invisible on the rendered page:

    <!-- example: pytest -->            a test file: written out, run with pytest (and mypy --strict)
    <!-- example: pytest, mypy -->      the same, said explicitly
    <!-- example: pytest config -->     the pyproject.toml such a test file runs with
    <!-- example: console -->           `$ command` lines, each followed by the output it prints
    <!-- example: file PATH -->         the block is the repository file PATH, verbatim
    <!-- example: fault rule -->        a fault rule the control endpoint must accept
    <!-- example: output -->            output only: not run

An unmarked `python` block is a script, run as it is in a fresh interpreter.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

_MARKER = re.compile(r"^<!--\s*example:\s*(?P<what>.+?)\s*-->$")
_FENCE = re.compile(r"^(?P<fence>`{3,})(?P<info>[\w+-]*)\s*$")


@dataclasses.dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    language: str
    marker: str | None  # the marker's text after "example:", or None
    text: str

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


def blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        close = next((i for i in range(index + 1, len(lines)) if lines[i].strip() == opening["fence"]), None)
        if close is None:
            raise ValueError(f"{path}:{index + 1}: unclosed code block")
        above = lines[index - 1].strip() if index > 0 else ""
        marker = _MARKER.match(above)
        found.append(
            Block(
                path=path,
                line=index + 1,
                language=opening["info"],
                marker=marker["what"] if marker else None,
                text="\n".join(lines[index + 1 : close]) + "\n",
            )
        )
        index = close + 1
    return found
