"""Comparing a page's Chinese half with its English half: the facts both state must be the same."""

from __future__ import annotations

import json
from typing import Any

from ._examples import example_json
from ._findings import Findings, listing, yes_no
from ._model import Finding, OperationPage
from ._response import field_line
from ._spec_view import SpecView


def compare_halves(page: OperationPage, spec: SpecView) -> list[Finding]:
    """Where the Chinese half's facts are not the English one's (reported at the Chinese line)."""
    out = Findings(page.file, spec, f"{page.english.method} {page.english.path}")
    english, chinese = page.english, page.chinese
    if chinese is None:
        out.add("info", "no-chinese-part", english.title.line, "the page has no Chinese part", "")
        return out.items

    def differ(what: str, line: int, en: object, zh: object, en_line: int) -> None:
        if en != zh:
            out.add(
                "drift",
                "languages-disagree",
                line,
                f"{what}: English {en}, Chinese {zh}",
                "",
                None,
                f"English at line {en_line}",
                "zh",
            )

    differ("endpoint", chinese.endpoint_line, english.endpoint, chinese.endpoint, english.endpoint_line)
    differ(
        "security type", chinese.title.line, english.security_type, chinese.security_type, english.title.line
    )
    en_weight, zh_weight = english.weight, chinese.weight
    if en_weight is not None and zh_weight is not None:
        differ("weight", zh_weight.line, en_weight.value, zh_weight.value, en_weight.line)
        differ("weight kind", zh_weight.kind_line, en_weight.kind, zh_weight.kind, en_weight.kind_line)
    else:
        differ(
            "weight section",
            chinese.endpoint_line,
            en_weight is not None,
            zh_weight is not None,
            english.endpoint_line,
        )
    en_params = {param.name: param for param in english.params}
    zh_params = {param.name: param for param in chinese.params}
    for name in en_params.keys() - zh_params.keys():
        differ(f"parameter {name}", chinese.params_line, "present", "absent", en_params[name].line)
    for name in zh_params.keys() - en_params.keys():
        differ(f"parameter {name}", zh_params[name].line, "absent", "present", english.params_line)
    declared = {param.name: param for op in spec.operations for param in op.params.values()}
    for name in en_params.keys() & zh_params.keys():
        en, zh = en_params[name], zh_params[name]
        differ(f"{name} type", zh.line, en.type, zh.type, en.line)
        differ(f"{name} mandatory", zh.line, yes_no(en.mandatory), yes_no(zh.mandatory), en.line)
        spec_has_enum = name in declared and declared[name].enum is not None
        en_enum, zh_enum = en.enum_for(spec_has_enum), zh.enum_for(spec_has_enum)
        if en_enum is not None or zh_enum is not None:
            differ(
                f"{name} values",
                zh.line,
                listing(tuple(sorted(en_enum or ()))),
                listing(tuple(sorted(zh_enum or ()))),
                en.line,
            )
    en_example, zh_example = (
        example_json(english.example, page.file),
        example_json(chinese.example, page.file),
    )
    if en_example != zh_example:
        line = chinese.example.line if chinese.example else chinese.params_line
        if chinese.example is not None and isinstance(en_example, dict) and isinstance(zh_example, dict):
            keys = sorted(set(_keys(zh_example)) ^ set(_keys(en_example)))
            line = field_line(chinese.example, keys[0].rsplit(".", 1)[-1]) if keys else line
        differ(
            "response example",
            line,
            _short(en_example),
            _short(zh_example),
            english.example.line if english.example else english.params_line,
        )
    return out.items


def _keys(document: Any, prefix: str = "") -> list[str]:
    """Every field path in a JSON document (array items merged)."""
    if isinstance(document, dict):
        return [
            key
            for name, value in document.items()
            for key in (f"{prefix}.{name}", *_keys(value, f"{prefix}.{name}"))
        ]
    if isinstance(document, list):
        return [key for item in document for key in _keys(item, prefix)]
    return []


def _short(document: Any) -> str:
    if document is None:
        return "(none)"
    text = json.dumps(document["json"], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= 80 else f"{text[:77]}..."
