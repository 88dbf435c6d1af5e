"""Comparing an operation page with the spec, and a page's English half with its Chinese half."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ._model import DocHalf, Finding, Located, OperationPage, Severity
from ._response import example_problem, parse_example
from ._spec_view import Pointer, SpecOperation, SpecView

# Binance's documented types, as the spec writes them (decimals travel as strings).
DOC_TYPES = {
    "STRING": "string",
    "LONG": "integer",
    "INT": "integer",
    "INTEGER": "integer",
    "DECIMAL": "string",
    "ARRAY": "array",
    "ENUM": "string",
    "BOOLEAN": "boolean",
}


@dataclass
class Findings:
    """Collects findings about one page (or the spec), filling in the common fields."""

    file: Path
    spec: SpecView
    operation: str = ""
    items: list[Finding] = field(default_factory=list)

    def add(
        self,
        severity: Severity,
        kind: str,
        line: int,
        docs: str,
        spec: str,
        pointer: Pointer | None = None,
        detail: str = "",
    ) -> None:
        spec_line = self.spec.line(pointer) if pointer else None
        self.items.append(
            Finding(severity, kind, str(self.file), line, docs, spec, self.operation, spec_line, detail)
        )


def _weight_text(value: int | None, kind: str | None) -> str:
    return f"{value} ({kind})" if kind else f"{value} (no kind stated)"


def _mandatory(flag: bool) -> str:
    return "YES" if flag else "NO"


def _values(values: tuple[str, ...] | None) -> str:
    return ", ".join(values) if values else "(none)"


def _normal(text: str) -> str:
    """Wording as compared: code and bold marks, spacing and a final full stop do not matter."""
    return " ".join(re.sub(r"[`*]", "", text).split()).rstrip(".。;；")


def compare_page(page: OperationPage, operation: SpecOperation, spec: SpecView) -> list[Finding]:
    half = page.english
    out = Findings(page.file, spec, operation.operation_id)
    doc = (*operation.pointer, "x-binance-doc")
    if page.front.source_url.rstrip("/") != operation.doc_url.rstrip("/"):
        out.add(
            "drift",
            "doc-url",
            page.front.lines.get("source_url", 1),
            page.front.source_url,
            operation.doc_url,
            doc,
        )
    if page.front.updated_at > operation.doc_updated_at:
        out.add(
            "info",
            "page-updated",
            page.front.lines.get("updated_at", 1),
            page.front.updated_at,
            operation.doc_updated_at,
            doc,
            "changed since the spec was checked; the other findings say whether anything relevant did",
        )
    if (half.method, half.path) != (operation.method, operation.path):
        out.add("drift", "endpoint", half.endpoint_line, half.endpoint, operation.endpoint, operation.pointer)
    if half.security_type and half.security_type != operation.security_type:
        out.add(
            "drift",
            "security-type",
            half.title.line,
            half.security_type,
            operation.security_type,
            (*operation.pointer, "x-binance-security-type"),
        )
    _compare_weight(half, operation, spec, out)
    _compare_params(half, operation, spec, out)
    _compare_notes(half, operation, out)
    problem = example_problem(half.example, operation, spec, page.file)
    if problem is not None:
        line = half.example.line if half.example else half.params_line
        response = operation.response_pointer or (*operation.pointer, "responses", "200")
        out.add("drift", "response-example", line, problem, "the 200 response", response)
    return out.items


def _compare_weight(half: DocHalf, operation: SpecOperation, spec: SpecView, out: Findings) -> None:
    pointer = (*operation.pointer, "x-binance-weight")
    spec_text = _weight_text(operation.weight_value, operation.weight_kind)
    weight = half.weight
    if weight is None or weight.value is None:
        docs = "no Request Weight section" if weight is None else f"unreadable weight: {weight.text!r}"
        out.add(
            "drift", "weight-value", weight.line if weight else half.endpoint_line, docs, spec_text, pointer
        )
        return
    if weight.value != operation.weight_value:
        out.add(
            "drift", "weight-value", weight.line, _weight_text(weight.value, weight.kind), spec_text, pointer
        )
    if weight.kind is not None:
        if weight.kind != operation.weight_kind:
            out.add(
                "drift",
                "weight-kind",
                weight.kind_line,
                _weight_text(weight.value, weight.kind),
                spec_text,
                pointer,
            )
        return
    # No kind on the page (the futures pages): compare with the kind the API family implies, if any.
    implied = spec.implied_weight_kind(operation.family)
    if implied is None:
        out.add(
            "info", "weight-kind-unstated", weight.line, _weight_text(weight.value, None), spec_text, pointer
        )
    elif implied != operation.weight_kind:
        out.add(
            "drift",
            "weight-kind",
            weight.line,
            f"{weight.value} (no kind stated: {operation.family} weights are per {implied})",
            spec_text,
            pointer,
        )


def _compare_params(half: DocHalf, operation: SpecOperation, spec: SpecView, out: Findings) -> None:
    rows = {param.name: param for param in half.params}
    # timestamp and recvWindow are the signing scheme's, not parameters: check them against it.
    for name, mandatory in ((spec.signing.timestamp, True), (spec.signing.recv_window, False)):
        row = rows.pop(name, None)
        expected = f"signed ({name} {_mandatory(mandatory)})" if operation.signed else "not signed"
        if row is None and operation.signed:
            out.add(
                "drift", "signing", half.params_line, f"no `{name}` parameter", expected, operation.pointer
            )
        elif row is not None and (not operation.signed or row.mandatory != mandatory):
            docs = f"`{name}` {_mandatory(row.mandatory)}"
            out.add("drift", "signing", row.line, docs, expected, operation.pointer)
    rows.pop(spec.signing.signature, None)
    for name, row in rows.items():
        declared = operation.params.get(name)
        if declared is None:
            out.add(
                "drift",
                "parameter-added",
                row.line,
                f"{name} {row.type} {_mandatory(row.mandatory)}",
                "no such parameter",
                operation.pointer,
            )
            continue
        where = declared.pointer
        expected_type = DOC_TYPES.get(row.type)
        if expected_type != declared.type:
            docs = f"{name}: {row.type}" + ("" if expected_type else " (a type the check does not know)")
            out.add("drift", "parameter-type", row.line, docs, f"{name}: {declared.type}", where)
        elif expected_type == "array" and (declared.style, declared.explode) != ("form", False):
            out.add(
                "drift",
                "parameter-style",
                row.line,
                f"{name}: ARRAY (one comma-joined value)",
                f"style {declared.style}, explode {declared.explode}",
                where,
            )
        if row.mandatory != declared.required:
            out.add(
                "drift",
                "parameter-mandatory",
                row.line,
                f"{name}: mandatory {_mandatory(row.mandatory)}",
                f"{name}: required {declared.required}",
                where,
            )
        if row.enum is not None and set(row.enum) != set(declared.enum or ()):
            out.add(
                "drift",
                "parameter-enum",
                row.line,
                f"{name}: {_values(row.enum)}",
                f"{name}: {_values(declared.enum)}",
                where,
            )
        elif row.enum is None and declared.enum is not None:
            out.add(
                "info",
                "enum-not-listed",
                row.line,
                f"{name}: {row.description!r}",
                f"{name}: {_values(declared.enum)}",
                where,
            )
    for name, declared in operation.params.items():
        if name not in {param.name for param in half.params}:
            out.add(
                "drift",
                "parameter-removed",
                half.params_line,
                "no such parameter",
                f"{name} required {declared.required}",
                declared.pointer,
            )


def _compare_notes(half: DocHalf, operation: SpecOperation, out: Findings) -> None:
    rules = {_normal(rule): rule for rule in operation.rules}
    acknowledged = {_normal(note): note for note in operation.acknowledged_notes}
    notes = {_normal(note.text): note for note in half.notes}
    # A rule's wording may also be a parameter's description ("`symbol` must be filled in").
    descriptions = {_normal(param.description) for param in half.params}
    for text, note in notes.items():
        if text not in rules and text not in acknowledged:
            out.add(
                "drift",
                "note-added",
                note.line,
                note.text,
                "no x-binance-rules[].doc or x-binance-doc-notes entry with this wording",
                (*operation.pointer, "x-binance-rules"),
            )
    for text, rule in rules.items():
        if text not in notes and text not in descriptions:
            out.add(
                "drift",
                "rule-removed",
                half.params_line,
                "no note or description with this wording",
                rule,
                (*operation.pointer, "x-binance-rules"),
            )
    for text, note_text in acknowledged.items():
        if text not in notes:
            out.add(
                "drift",
                "note-removed",
                half.params_line,
                "no such note",
                note_text,
                (*operation.pointer, "x-binance-doc-notes"),
            )


def compare_halves(page: OperationPage, spec: SpecView) -> list[Finding]:
    """Where the Chinese half says something else than the English one (reported at the Chinese line)."""
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
    for name in en_params.keys() & zh_params.keys():
        en, zh = en_params[name], zh_params[name]
        differ(f"{name} type", zh.line, en.type, zh.type, en.line)
        differ(f"{name} mandatory", zh.line, _mandatory(en.mandatory), _mandatory(zh.mandatory), en.line)
        if en.enum is not None and zh.enum is not None:
            differ(
                f"{name} values",
                zh.line,
                _values(tuple(sorted(en.enum))),
                _values(tuple(sorted(zh.enum))),
                en.line,
            )
    # The notes are worded differently per language: only their number can be compared.
    differ(
        "number of notes", chinese.params_line, len(english.notes), len(chinese.notes), english.params_line
    )
    differ(
        "response example",
        chinese.example.line if chinese.example else chinese.params_line,
        _example_json(english.example, page.file),
        _example_json(chinese.example, page.file),
        english.example.line if english.example else english.params_line,
    )
    return out.items


def _example_json(example: Located | None, file: Path) -> str:
    """The example as compact JSON, so that only a different document (not its layout) differs."""
    if example is None:
        return "(none)"
    text = json.dumps(parse_example(example, file), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= 80 else f"{text[:77]}..."
