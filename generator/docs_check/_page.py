"""Reading one operation page's half: endpoint, weight, parameters, notes and response example."""

from __future__ import annotations

import re
from pathlib import Path

from ._markdown import Block, Half, Section, SplitPage
from ._model import DocHalf, DocParam, DocWeight, Located, OperationPage, UnreadableInput

# Section titles, in both languages, by what they hold.
_HTTP = ("HTTP Request", "HTTP请求")
_WEIGHT = ("Request Weight", "请求权重")
_PARAMETERS = ("Request Parameters", "请求参数")
_RESPONSE = ("Response Example", "响应示例")

_ENDPOINT = re.compile(r"^(GET|POST|PUT|DELETE|PATCH)\s+`?(/[^\s`]+)`?$")
_KIND = re.compile(r"\((IP|UID)\)")
_WEIGHT_VALUE = re.compile(r"^\*\*(\d+)\s*(?:\((IP|UID)\))?\*\*$")
_SECURITY_TYPE = re.compile(r"\(([A-Z_]+)\)\s*$")
# An enum list: two or more upper-case values, optionally back-quoted and annotated ("ISOLATED(逐仓)"),
# after an optional label that is either non-ASCII text ("保证金模式 ") or ends with a colon.
_ENUM_VALUE = r"`?[A-Z][A-Z0-9_]*`?(?:\s*[(（][^)）]*[)）])?"
_ENUM_LIST = re.compile(
    rf"(?:[^\x00-\x7f]*\s*|[^=:：]*[:：]\s*)(?P<values>{_ENUM_VALUE}(?:\s*[,，、]\s*{_ENUM_VALUE})+)\s*[.。]?"
)
_ANNOTATION = re.compile(r"[(（][^)）]*[)）]")
_MANDATORY = {"YES": True, "NO": False}


def enum_values(description: str) -> tuple[str, ...] | None:
    """The enum values a parameter description lists, or None when it lists none."""
    match = _ENUM_LIST.fullmatch(description.strip())
    if match is None:
        return None
    return tuple(re.findall(r"[A-Z][A-Z0-9_]*", _ANNOTATION.sub("", match["values"])))


def parse_operation_page(split: SplitPage) -> OperationPage | None:
    """The page's operation, or None when the page documents no HTTP request (not an operation page)."""
    english = _half(split.file, split.english)
    if english is None:
        return None
    chinese = _half(split.file, split.chinese) if split.chinese is not None else None
    return OperationPage(split.file, split.front, english, chinese)


def _section(half: Half, titles: tuple[str, ...]) -> Section | None:
    return next(
        (s for s in half.sections if s.title.lower().startswith(tuple(t.lower() for t in titles))), None
    )


def _half(file: Path, half: Half) -> DocHalf | None:
    http = _section(half, _HTTP)
    if http is None:
        return None
    method, path, endpoint_line = _endpoint(file, http)
    title = half.title
    security = _SECURITY_TYPE.search(title.title)
    params_section = _section(half, _PARAMETERS)
    params, notes = _parameters(file, params_section) if params_section else ((), ())
    return DocHalf(
        language=half.language,
        title=Located(title.title, title.line),
        security_type=security[1] if security else None,
        method=method,
        path=path,
        endpoint_line=endpoint_line,
        weight=_weight(_section(half, _WEIGHT)),
        params=params,
        params_line=params_section.line if params_section else endpoint_line,
        notes=tuple(_bullets(half)) + notes,
        example=_example(_section(half, _RESPONSE)),
    )


def _endpoint(file: Path, section: Section) -> tuple[str, str, int]:
    for block in section.blocks:
        match = _ENDPOINT.match(block.text)
        if block.kind == "paragraph" and match:
            return match[1], match[2], block.line
    raise UnreadableInput(file, section.line, "the HTTP request section has no `METHOD /path` line")


def _weight(section: Section | None) -> DocWeight | None:
    if section is None:
        return None
    in_heading = _KIND.search(section.title)
    heading_kind = in_heading[1] if in_heading else None
    block = next((b for b in section.blocks if b.kind == "paragraph"), None)
    if block is None:
        return DocWeight(None, heading_kind, "", section.line, section.line)
    match = _WEIGHT_VALUE.match(block.text)
    if match is None:
        return DocWeight(None, heading_kind, block.text, block.line, section.line)
    # The kind is written either after the value ("**3000(UID)**") or in the heading ("Request Weight(IP)").
    if match[2]:
        return DocWeight(int(match[1]), match[2], block.text, block.line, block.line)
    return DocWeight(
        int(match[1]), heading_kind, block.text, block.line, section.line if heading_kind else block.line
    )


def _parameters(file: Path, section: Section) -> tuple[tuple[DocParam, ...], tuple[Located, ...]]:
    table = next((block for block in section.blocks if block.kind == "table"), None)
    params: list[DocParam] = []
    if table is not None:
        for row in table.rows[1:]:
            if len(row.cells) < 4:
                raise UnreadableInput(
                    file, row.line, "a parameter row needs name, type, mandatory, description"
                )
            name, type_, mandatory, description = row.cells[:4]
            if mandatory.upper() not in _MANDATORY:
                raise UnreadableInput(file, row.line, f"mandatory must be YES or NO, not {mandatory!r}")
            params.append(
                DocParam(
                    name,
                    type_.upper(),
                    _MANDATORY[mandatory.upper()],
                    description,
                    enum_values(description),
                    row.line,
                )
            )
    # Paragraphs after the table are notes too, except labels such as "Additional notes:" / "备注:".
    after = section.blocks[section.blocks.index(table) + 1 :] if table is not None else section.blocks
    notes = tuple(
        Located(block.text, block.line)
        for block in after
        if block.kind == "paragraph" and not block.text.rstrip().endswith((":", "："))
    )
    return tuple(params), notes


def _bullets(half: Half) -> list[Located]:
    return [
        Located(block.text, block.line)
        for section in half.sections
        if _section(half, _RESPONSE) is not section
        for block in section.blocks
        if block.kind == "bullet"
    ]


def _example(section: Section | None) -> Located | None:
    block: Block | None = next((b for b in section.blocks if b.kind == "code"), None) if section else None
    if block is None or not block.text.strip():
        return None
    return Located(block.text, block.line)
