"""Reading one operation page's half: title, description, endpoint, weight, parameters, notes, example.

Every paragraph and bullet of the half is accounted for: what is not the title, the API description,
the endpoint, the weight, a label ("Additional notes:") or the response example is a note.
"""

from __future__ import annotations

import re
from pathlib import Path

from ._markdown import Block, Half, Section, SplitPage
from ._model import DocHalf, DocParam, DocWeight, Located, OperationPage, UnreadableInput
from ._wording import is_label, normal

# Section titles, in both languages, by what they hold.
_DESCRIPTION = ("API Description", "接口描述")
_HTTP = ("HTTP Request", "HTTP请求")
_WEIGHT = ("Request Weight", "请求权重")
_PARAMETERS = ("Request Parameters", "请求参数")
_RESPONSE = ("Response Example", "响应示例")

# Older pages (and Binance's change log) write the signing method after the path: `(HMAC SHA256)`.
_ENDPOINT = re.compile(r"^(GET|POST|PUT|DELETE|PATCH)\s+`?(/[^\s`]+)`?(?:\s*\(HMAC SHA256\))?$")
_KIND = re.compile(r"\((IP|UID)\)")
_WEIGHT_VALUE = re.compile(r"^\*\*(\d+)\s*(?:\((IP|UID)\))?\*\*$")
_SECURITY_TYPE = re.compile(r"\s*\(([A-Z_]+)\)\s*$")
# An enum list: upper-case values, optionally back-quoted and annotated ("ISOLATED(逐仓)"), after an
# optional label that is either non-ASCII text ("保证金模式 ") or ends with a colon.
_ENUM_VALUE = r"`?[A-Z][A-Z0-9_]*`?(?:\s*[(（][^)）]*[)）])?"
_ENUM_LIST = re.compile(
    rf"(?:[^\x00-\x7f]*\s*|[^=:：]*[:：]\s*)(?P<values>{_ENUM_VALUE}(?:\s*[,，、]\s*{_ENUM_VALUE})*)\s*[.。]?"
)
_ANNOTATION = re.compile(r"[(（][^)）]*[)）]")
_MANDATORY = {"YES": True, "NO": False}


def listed_values(description: str) -> tuple[str, ...] | None:
    """The values a parameter description lists (one or more), or None when it lists none."""
    match = _ENUM_LIST.fullmatch(description.strip())
    if match is None:
        return None
    return tuple(re.findall(r"[A-Z][A-Z0-9_]*", _ANNOTATION.sub("", match["values"])))


def enum_values(description: str) -> tuple[str, ...] | None:
    """The enum a description lists on its own (two or more values), or None."""
    values = listed_values(description)
    return values if values is not None and len(values) > 1 else None


def without_values(description: str) -> str:
    """The description's wording around its list of values (the same for any values listed)."""
    match = _ENUM_LIST.fullmatch(description.strip())
    if match is None:
        return normal(description)
    text = description.strip()
    return normal(text[: match.start("values")] + "<values>" + text[match.end("values") :])


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
    endpoint_block, method, path = _endpoint(file, http)
    title = half.title
    security = _SECURITY_TYPE.search(title.title)
    described = _section(half, _DESCRIPTION)
    weight_section = _section(half, _WEIGHT)
    weight, weight_block = _weight(weight_section)
    params_section = _section(half, _PARAMETERS)
    table = _first(params_section, "table")
    response = _section(half, _RESPONSE)
    example = _first(response, "code")
    consumed = {id(block) for block in (endpoint_block, weight_block, table, example) if block is not None}
    description: list[Located] = []
    notes: list[Located] = []
    for section in half.sections:
        for block in section.blocks:
            if id(block) in consumed or block.kind == "code":
                continue
            if block.kind == "table":
                notes += [Located(" | ".join(row.cells), row.line) for row in block.rows]
            elif section is described and block.kind == "paragraph":
                description.append(Located(block.text, block.line))
            elif not is_label(block.text):
                notes.append(Located(block.text, block.line))
    return DocHalf(
        language=half.language,
        title=Located(title.title, title.line),
        name=title.title[: security.start()].strip() if security else title.title,
        security_type=security[1] if security else None,
        description=tuple(description),
        description_line=described.line if described else title.line,
        method=method,
        path=path,
        endpoint_line=endpoint_block.line,
        weight=weight,
        params=_parameters(file, table) if table is not None else (),
        params_line=params_section.line if params_section else endpoint_block.line,
        notes=tuple(notes),
        example=Located(example.text, example.line) if example is not None and example.text.strip() else None,
    )


def _first(section: Section | None, kind: str) -> Block | None:
    return next((block for block in section.blocks if block.kind == kind), None) if section else None


def _endpoint(file: Path, section: Section) -> tuple[Block, str, str]:
    for block in section.blocks:
        match = _ENDPOINT.match(block.text)
        if block.kind == "paragraph" and match:
            return block, match[1], match[2]
    raise UnreadableInput(file, section.line, "the HTTP request section has no `METHOD /path` line")


def _weight(section: Section | None) -> tuple[DocWeight | None, Block | None]:
    if section is None:
        return None, None
    in_heading = _KIND.search(section.title)
    heading_kind = in_heading[1] if in_heading else None
    block = _first(section, "paragraph")
    if block is None:
        return DocWeight(None, heading_kind, "", section.line, section.line), None
    match = _WEIGHT_VALUE.match(block.text)
    if match is None:
        return DocWeight(None, heading_kind, block.text, block.line, section.line), block
    # The kind is written either after the value ("**3000(UID)**") or in the heading ("Request Weight(IP)").
    if match[2]:
        return DocWeight(int(match[1]), match[2], block.text, block.line, block.line), block
    kind_line = section.line if heading_kind else block.line
    return DocWeight(int(match[1]), heading_kind, block.text, block.line, kind_line), block


def _parameters(file: Path, table: Block) -> tuple[DocParam, ...]:
    params: list[DocParam] = []
    for row in table.rows[1:]:
        if len(row.cells) < 4:
            raise UnreadableInput(file, row.line, "a parameter row needs name, type, mandatory, description")
        name, type_, mandatory, description = row.cells[:4]
        if mandatory.upper() not in _MANDATORY:
            raise UnreadableInput(file, row.line, f"mandatory must be YES or NO, not {mandatory!r}")
        params.append(
            DocParam(
                name.strip("`"),
                type_.strip("`").upper(),
                _MANDATORY[mandatory.upper()],
                description,
                listed_values(description),
                row.line,
            )
        )
    return tuple(params)
