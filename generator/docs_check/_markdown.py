"""Splitting a scraped page into front matter and language halves, and each half into sections.

The markdown itself is parsed by markdown-it-py (CommonMark plus GFM tables): it gives every block its
source line, which is what the report points at.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ._model import FrontMatter, UnreadableInput

Language = Literal["en", "zh"]
BlockKind = Literal["paragraph", "table", "bullet", "code"]

_FRONT_MATTER_KEYS = ("exchange", "source_url", "api_type", "updated_at")
# The scraper keeps each heading's "Direct link" anchor: `Title[](/docs/...#anchor "Direct link to Title")`.
_HEADING_ANCHOR = re.compile(r"\[\u200b?\]\(.*\)\s*$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_PARSER = MarkdownIt("commonmark").enable("table")


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    line: int
    rows: tuple[Row, ...] = ()


@dataclass(frozen=True)
class Section:
    title: str
    level: int
    line: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Half:
    language: Language
    sections: tuple[Section, ...]

    @property
    def title(self) -> Section:
        return next((section for section in self.sections if section.level == 1), self.sections[0])


@dataclass(frozen=True)
class SplitPage:
    file: Path
    front: FrontMatter
    english: Half
    chinese: Half | None


def split_page(file: Path) -> SplitPage:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableInput(file, 1, f"cannot read the page: {error}") from error
    # A byte-order mark and CRLF line ends are how a file was saved, not what the page says; scraped
    # pages carry non-breaking spaces where the site had &nbsp;: they mean plain spaces.
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.replace("\u00a0", " ").split("\n")
    front, body_start = _front_matter(file, lines)
    halves: dict[Language, Half] = {}
    for start, end in _half_ranges(lines, body_start):
        half = _parse_half(lines[start:end], first_line=start + 1)
        if half.sections and half.language not in halves:
            halves[half.language] = half
    if "en" not in halves:
        raise UnreadableInput(file, body_start + 1, "no English part (a `# Title` heading in English)")
    return SplitPage(file, front, halves["en"], halves.get("zh"))


def _front_matter(file: Path, lines: list[str]) -> tuple[FrontMatter, int]:
    if not lines or lines[0].strip() != "---":
        raise UnreadableInput(file, 1, "no front matter (the page must start with a `---` line)")
    end = next((index for index in range(1, len(lines)) if lines[index].strip() == "---"), None)
    if end is None:
        raise UnreadableInput(file, 1, "the front matter is not closed by a `---` line")
    try:
        # BaseLoader keeps every value a string: updated_at must stay as written, not become a datetime.
        data = yaml.load("\n".join(lines[1:end]), Loader=yaml.BaseLoader)  # noqa: S506
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        raise UnreadableInput(file, line, f"the front matter is not YAML: {error}") from error
    if not isinstance(data, dict):
        raise UnreadableInput(file, 2, "the front matter is not a mapping")
    missing = [key for key in _FRONT_MATTER_KEYS if not isinstance(data.get(key), str) or not data[key]]
    if missing:
        raise UnreadableInput(file, 1, f"the front matter lacks {', '.join(missing)}")
    lines_of = {
        key: index + 1
        for index in range(1, end)
        for key in _FRONT_MATTER_KEYS
        if lines[index].startswith(f"{key}:")
    }
    return FrontMatter(**{key: data[key] for key in _FRONT_MATTER_KEYS}, lines=lines_of), end + 1


def _half_ranges(lines: list[str], start: int) -> list[tuple[int, int]]:
    """The halves are separated by a `---` line followed by the next half's `# Title`."""
    cuts = [start]
    for index in range(start, len(lines)):
        if lines[index].strip() != "---":
            continue
        following = next((line for line in lines[index + 1 :] if line.strip()), "")
        if following.startswith("# "):
            cuts.append(index + 1)
    ends = [cut - 1 for cut in cuts[1:]] + [len(lines)]  # a half ends before the next one's `---`
    return list(zip(cuts, ends, strict=True))


def heading_text(inline: str) -> str:
    """The heading without its anchor link, full-width forms folded: `（TRADE）` reads `(TRADE)`."""
    return unicodedata.normalize("NFKC", _HEADING_ANCHOR.sub("", inline)).strip()


def _parse_half(lines: list[str], first_line: int) -> Half:
    tokens = _PARSER.parse("\n".join(lines))
    sections: list[Section] = []
    title, level, line = "", 0, first_line
    blocks: list[Block] = []
    list_depth = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        where = first_line + (token.map[0] if token.map else 0)
        if token.type == "heading_open":
            if title or blocks:
                sections.append(Section(title, level, line, tuple(blocks)))
            title, level, line, blocks = (
                heading_text(tokens[index + 1].content),
                int(token.tag[1:]),
                where,
                [],
            )
            index += 2
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "inline" and token.map:
            blocks.append(Block("bullet" if list_depth else "paragraph", token.content.strip(), where))
        elif token.type in ("code_block", "fence"):
            # A fence's map starts at its ``` line; an indented block's at its first code line.
            blocks.append(Block("code", token.content, where + (1 if token.type == "fence" else 0)))
        elif token.type == "table_open":
            rows, index = _table(tokens, index, first_line)
            blocks.append(Block("table", "", where, rows))
        index += 1
    if title or blocks:
        sections.append(Section(title, level, line, tuple(blocks)))
    language: Language = "zh" if sections and _CJK.search(_first_title(sections)) else "en"
    return Half(language, tuple(sections))


def _first_title(sections: list[Section]) -> str:
    return next((section.title for section in sections if section.level == 1), sections[0].title)


def _table(tokens: list[Token], index: int, first_line: int) -> tuple[tuple[Row, ...], int]:
    rows: list[Row] = []
    cells: list[str] = []
    row_line = first_line
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            cells, row_line = [], first_line + (token.map[0] if token.map else 0)
        elif token.type == "inline":
            cells.append(token.content.strip())
        elif token.type == "tr_close":
            rows.append(Row(tuple(cells), row_line))
        index += 1
    return tuple(rows), index
