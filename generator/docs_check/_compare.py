"""Comparing an operation page with the spec, and a page's English half with its Chinese half.

The English half's facts (endpoint, security type, weight, parameters, rule numbers, response fields)
are compared with the spec; the Chinese half's facts with the English half's. Every text of both halves
(title, API description, parameter descriptions, notes and rules) is compared with the wording the spec
keeps for that language. A mechanical finding carries the spec edits that resolve it (`Finding.fix`),
but only when the Chinese half says the same: when the halves disagree, a human decides.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._model import DocHalf, DocParam, Edit, Finding, Language, Located, OperationPage, Severity
from ._page import listed_values, without_values
from ._response import example_problem, field_differences, field_line, json_type, parse_example
from ._spec_view import Pointer, SpecNote, SpecOperation, SpecParam, SpecRule, SpecView
from ._wording import normal, numbers, template

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
# The field of each rule kind that holds the number its wording states.
RULE_NUMBER_FIELDS = {
    "max-items": "maximum",
    "once-per-interval": "interval_seconds",
    "max-liability-value": "below",
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
        language: str = "",
        fix: Sequence[Edit] = (),
    ) -> None:
        spec_line = self.spec.line(pointer) if pointer else None
        self.items.append(
            Finding(
                severity,
                kind,
                str(self.file),
                line,
                docs,
                spec,
                self.operation,
                spec_line,
                detail,
                language,
                tuple(fix),
            )
        )


def _weight_text(value: int | None, kind: str | None) -> str:
    return f"{value} ({kind})" if kind else f"{value} (no kind stated)"


def _mandatory(flag: bool) -> str:
    return "YES" if flag else "NO"


def _values(values: tuple[str, ...] | None) -> str:
    return ", ".join(values) if values else "(none)"


def _halves(page: OperationPage) -> list[DocHalf]:
    return [page.english] + ([page.chinese] if page.chinese is not None else [])


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
            (*doc, "updated_at"),
            "changed since the spec was checked; the other findings say whether anything relevant did",
            fix=[Edit("set", (*doc, "updated_at"), page.front.updated_at)],
        )
    if (half.method, half.path) != (operation.method, operation.path):
        out.add("drift", "endpoint", half.endpoint_line, half.endpoint, operation.endpoint, operation.pointer)
    security = (*operation.pointer, "x-binance-security-type")
    if half.security_type is None:
        out.add(
            "drift",
            "security-type",
            half.title.line,
            f"the title names no security type: {half.title.text!r}",
            operation.security_type,
            security,
        )
    elif half.security_type != operation.security_type:
        out.add(
            "drift", "security-type", half.title.line, half.security_type, operation.security_type, security
        )
    _compare_weight(page, operation, spec, out)
    _compare_params(page, operation, spec, out)
    for each in _halves(page):
        _compare_wording(each, page, operation, out)
    _compare_example(page, operation, spec, out)
    return out.items


def _compare_weight(page: OperationPage, operation: SpecOperation, spec: SpecView, out: Findings) -> None:
    half, chinese = page.english, page.chinese
    pointer = (*operation.pointer, "x-binance-weight")
    spec_text = _weight_text(operation.weight_value, operation.weight_kind)
    weight = half.weight
    if weight is None or weight.value is None:
        docs = "no Request Weight section" if weight is None else f"unreadable weight: {weight.text!r}"
        out.add(
            "drift", "weight-value", weight.line if weight else half.endpoint_line, docs, spec_text, pointer
        )
        return
    zh = chinese.weight if chinese is not None else None
    agreed = chinese is None or (zh is not None and (zh.value, zh.kind) == (weight.value, weight.kind))
    if weight.value != operation.weight_value:
        fix = [Edit("set", (*pointer, "value"), weight.value)] if agreed else []
        docs = _weight_text(weight.value, weight.kind)
        out.add("drift", "weight-value", weight.line, docs, spec_text, pointer, fix=fix)
    if weight.kind is not None:
        if weight.kind != operation.weight_kind:
            bucket = spec.rate_limit_for(operation.family, weight.kind)
            fix = (
                [Edit("set", (*pointer, "kind"), weight.kind), Edit("set", (*pointer, "rate_limit"), bucket)]
                if agreed and bucket is not None
                else []
            )
            detail = "" if bucket else f"no {operation.family} rate limit is counted by {weight.kind}"
            docs = _weight_text(weight.value, weight.kind)
            out.add("drift", "weight-kind", weight.kind_line, docs, spec_text, pointer, detail, fix=fix)
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


def _param_schema(row: DocParam, enum: tuple[str, ...] | None) -> dict[str, Any]:
    if row.type == "ARRAY":
        return {"type": "array", "items": {"type": "string"}}
    schema: dict[str, Any] = {"type": DOC_TYPES.get(row.type, "string")}
    if enum:
        schema["enum"] = list(enum)
    return schema


def _referenced_by_rules(operation: SpecOperation, name: str) -> bool:
    keys = ("parameter", "when_parameter")
    return any(rule.data.get(key) == name for rule in operation.rules for key in keys)


def _wording_edit(operation: SpecOperation, name: str, texts: dict[str, str]) -> list[Edit]:
    """Keep the doc's wording of parameter `name` (languages with an empty text are left out)."""
    kept = {language: text for language, text in texts.items() if text.strip()}
    pointer = (*operation.pointer, "x-binance-doc", "parameters", name)
    if kept:
        return [Edit("set", pointer, kept)]
    return [Edit("delete", pointer)] if name in operation.doc_parameters else []


def _compare_params(page: OperationPage, operation: SpecOperation, spec: SpecView, out: Findings) -> None:
    half = page.english
    rows = {param.name: param for param in half.params}
    zh_rows = {param.name: param for param in page.chinese.params} if page.chinese is not None else None
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

    def chinese_agrees(row: DocParam, spec_has_enum: bool) -> bool:
        if zh_rows is None:
            return True
        zh = zh_rows.get(row.name)
        return zh is not None and (zh.type, zh.mandatory, zh.enum_for(spec_has_enum)) == (
            row.type,
            row.mandatory,
            row.enum_for(spec_has_enum),
        )

    def zh_description(name: str) -> str:
        zh = zh_rows.get(name) if zh_rows is not None else None
        return zh.description if zh is not None else ""

    for name, row in rows.items():
        declared = operation.params.get(name)
        if declared is None:
            enum = row.enum_for(False)
            fix: list[Edit] = []
            if chinese_agrees(row, False):
                param: dict[str, Any] = {"name": name, "in": "query", "required": row.mandatory}
                if row.type == "ARRAY":
                    param |= {"style": "form", "explode": False}
                param["schema"] = _param_schema(row, enum)
                fix = [Edit("append", (*operation.pointer, "parameters"), param)]
                fix += _wording_edit(operation, name, {"en": row.description, "zh": zh_description(name)})
            out.add(
                "drift",
                "parameter-added",
                row.line,
                f"{name} {row.type} {_mandatory(row.mandatory)}" + (f" ({_values(enum)})" if enum else ""),
                "no such parameter",
                operation.pointer,
                fix=fix,
            )
            continue
        _compare_declared(
            row, declared, operation, out, chinese_agrees(row, declared.enum is not None), zh_description
        )
    for name, declared in operation.params.items():
        if name not in {param.name for param in half.params}:
            mechanical = declared.pointer[0] == "paths" and not _referenced_by_rules(operation, name)
            fix = (
                [Edit("delete", declared.pointer), *_wording_edit(operation, name, {})] if mechanical else []
            )
            out.add(
                "drift",
                "parameter-removed",
                half.params_line,
                "no such parameter",
                f"{name} required {declared.required}",
                declared.pointer,
                "" if mechanical else "a rule names it: remove by hand",
                fix=fix,
            )


def _compare_declared(
    row: DocParam,
    declared: SpecParam,
    operation: SpecOperation,
    out: Findings,
    agreed: bool,
    zh_description: Any,
) -> None:
    name, where = row.name, declared.pointer
    inline = where[0] == "paths"
    expected_type = DOC_TYPES.get(row.type)
    enum = row.enum_for(declared.enum is not None)
    if expected_type != declared.type:
        docs = f"{name}: {row.type}" + ("" if expected_type else " (a type the check does not know)")
        mechanical = (
            agreed and inline and expected_type is not None and not _referenced_by_rules(operation, name)
        )
        fix: list[Edit] = []
        if mechanical:
            fix = [Edit("set", declared.schema_pointer, _param_schema(row, enum))]
            if row.type == "ARRAY":
                fix += [Edit("set", (*where, "style"), "form"), Edit("set", (*where, "explode"), False)]
            else:
                fix += [
                    Edit("delete", (*where, key))
                    for key in ("style", "explode")
                    if getattr(declared, key) is not None
                ]
        out.add("drift", "parameter-type", row.line, docs, f"{name}: {declared.type}", where, fix=fix)
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
        fix = [Edit("set", (*where, "required"), row.mandatory)] if agreed and inline else []
        out.add(
            "drift",
            "parameter-mandatory",
            row.line,
            f"{name}: mandatory {_mandatory(row.mandatory)}",
            f"{name}: required {declared.required}",
            where,
            fix=fix,
        )
    if enum is not None and set(enum) != set(declared.enum or ()) and expected_type == declared.type:
        fix = []
        own = declared.enum is not None or declared.enum_pointer == declared.schema_pointer
        if agreed and own and not declared.enum_shared:
            fix = [Edit("set", (*declared.enum_pointer, "enum"), list(enum))]
            texts = operation.doc_parameters.get(name, {})
            zh = zh_description(name)
            if without_values(row.description) == without_values(texts.get("en", "")) and (
                not zh or without_values(zh) == without_values(texts.get("zh", ""))
            ):
                fix += _wording_edit(operation, name, {"en": row.description, "zh": zh})
        out.add(
            "drift",
            "parameter-enum",
            row.line,
            f"{name}: {_values(enum)}",
            f"{name}: {_values(declared.enum)}",
            declared.enum_pointer,
            "" if fix or not agreed else "the enum is shared with other parameters: change it by hand",
            fix=fix,
        )
    elif enum is None and declared.enum is not None:
        out.add(
            "info",
            "enum-not-listed",
            row.line,
            f"{name}: {row.description!r}",
            f"{name}: {_values(declared.enum)}",
            where,
        )


@dataclass(frozen=True)
class _Entry:
    """A text the spec keeps for one language: a rule's wording or an acknowledged note."""

    text: str
    rule: SpecRule | None
    note: SpecNote | None

    @property
    def pointer(self) -> Pointer:
        return self.rule.pointer if self.rule is not None else self.note.pointer if self.note else ()


def _entries(operation: SpecOperation, language: Language) -> list[_Entry]:
    entries = [_Entry(rule.doc if language == "en" else rule.doc_zh, rule, None) for rule in operation.rules]
    entries += [
        _Entry(note.en if language == "en" else note.zh, None, note) for note in operation.acknowledged_notes
    ]
    return [entry for entry in entries if entry.text.strip()]


def _match_notes(
    half: DocHalf, operation: SpecOperation
) -> tuple[dict[int, tuple[_Entry, Located]], list[Located], list[_Entry]]:
    """Pair the half's notes with the spec's texts: by wording, then by wording up to numbers.
    Returns (entries whose numbers changed, by entry index: the note), unmatched notes, unmatched
    entries (a rule's wording may also be a parameter's description)."""
    entries = _entries(operation, half.language)
    free = list(range(len(entries)))
    changed: dict[int, tuple[_Entry, Located]] = {}
    unmatched: list[Located] = []
    pending: list[Located] = []
    for note in half.notes:
        index = next((i for i in free if normal(entries[i].text) == normal(note.text)), None)
        if index is None:
            pending.append(note)
        else:
            free.remove(index)
    for note in pending:
        index = next((i for i in free if template(entries[i].text) == template(note.text)), None)
        if index is None:
            unmatched.append(note)
        else:
            free.remove(index)
            changed[index] = (entries[index], note)
    descriptions = {normal(param.description) for param in half.params}
    missing = [entries[i] for i in free if normal(entries[i].text) not in descriptions]
    return changed, unmatched, missing


def _rule_value_fix(rule: SpecRule, en: Located, zh: Located | None, operation: SpecOperation) -> list[Edit]:
    """The edits for a rule whose one number changed: its data field scales with the number."""
    field_name = RULE_NUMBER_FIELDS.get(rule.id)
    old, new = numbers(rule.doc), numbers(en.text)
    if field_name is None or len(old) != 1 or len(new) != 1 or old[0] == 0 or field_name not in rule.data:
        return []
    current = rule.data[field_name]
    scaled = Decimal(str(current)) * new[0] / old[0]
    if isinstance(current, int):
        if scaled != scaled.to_integral_value():
            return []
        value: int | float = int(scaled)
    else:
        value = float(scaled)
    edits = [Edit("set", (*rule.pointer, field_name), value), Edit("set", (*rule.pointer, "doc"), en.text)]
    if zh is not None:
        edits.append(Edit("set", (*rule.pointer, "doc_zh"), zh.text))
    if rule.id == "max-items":
        param = operation.params.get(str(rule.data.get("parameter", "")))
        if param is None:
            return []
        edits.append(Edit("set", (*param.schema_target, "maxItems"), value))
    return edits


def _compare_wording(half: DocHalf, page: OperationPage, operation: SpecOperation, out: Findings) -> None:
    language = half.language
    doc = (*operation.pointer, "x-binance-doc")
    name = "English" if language == "en" else "Chinese"
    stored_title = operation.doc_title.get(language, "")
    if normal(half.name) != normal(stored_title):
        out.add(
            "drift",
            "title",
            half.title.line,
            half.name,
            stored_title or "(none)",
            (*doc, "title"),
            name,
            language,
        )
    described = normal(" ".join(block.text for block in half.description))
    stored = operation.doc_description.get(language, "")
    if described != normal(stored):
        line = next(
            (block.line for block in half.description if normal(block.text) not in normal(stored)),
            half.description[0].line if half.description else half.description_line,
        )
        docs = " ".join(block.text for block in half.description) or "(no API description)"
        out.add("drift", "description", line, docs, stored or "(none)", (*doc, "description"), name, language)
    for row in half.params:
        declared = operation.params.get(row.name)
        if declared is None and not _is_signing(row, out):
            continue  # a new parameter: parameter-added keeps its wording
        texts = operation.doc_parameters.get(row.name, {})
        kept = texts.get(language, "")
        if normal(row.description) == normal(kept):
            continue
        if (
            declared is not None
            and without_values(row.description) == without_values(kept)
            and row.listed != listed_values(kept)
        ):
            continue  # only the listed values changed: parameter-enum (or the halves' check) says so
        out.add(
            "drift",
            "parameter-description",
            row.line,
            f"{row.name}: {row.description}",
            f"{row.name}: {kept}" if kept else f"{row.name}: (no description)",
            (*doc, "parameters", row.name) if texts else doc,
            name,
            language,
        )
    changed, unmatched, missing = _match_notes(half, operation)
    other = _other_half(page, half)
    other_changed = _match_notes(other, operation)[0] if other is not None else {}
    for entry, note in changed.values():
        counterpart = _counterpart(entry, other_changed)
        other_numbers = numbers(counterpart.text) if counterpart is not None else numbers(_text(entry, other))
        if other is not None and sorted(numbers(note.text)) != sorted(other_numbers):
            out.add(
                "drift",
                "languages-disagree",
                note.line,
                f"{name}: {note.text}",
                entry.text,
                entry.pointer,
                f"the other half says {', '.join(map(str, other_numbers)) or 'no number'}",
                language,
            )
            continue
        if language == "zh" and other is not None:
            continue  # the English half's finding covers both
        kind = "rule-value" if entry.rule is not None else "note-changed"
        fix: list[Edit] = []
        if entry.rule is not None:
            fix = _rule_value_fix(entry.rule, note, counterpart, operation)
        out.add("drift", kind, note.line, note.text, entry.text, entry.pointer, name, language, fix=fix)
    for note in unmatched:
        out.add(
            "drift",
            "note-added",
            note.line,
            note.text,
            "no x-binance-rules[].doc or x-binance-doc-notes entry with this wording",
            (*operation.pointer, "x-binance-rules"),
            name,
            language,
        )
    for entry in missing:
        kind = "rule-removed" if entry.rule is not None else "note-removed"
        out.add(
            "drift",
            kind,
            half.params_line,
            "no note or description with this wording",
            entry.text,
            entry.pointer,
            name,
            language,
        )


def _is_signing(row: DocParam, out: Findings) -> bool:
    signing = out.spec.signing
    return row.name in (signing.timestamp, signing.recv_window, signing.signature)


def _other_half(page: OperationPage, half: DocHalf) -> DocHalf | None:
    return page.chinese if half is page.english else page.english


def _counterpart(entry: _Entry, changed: dict[int, tuple[_Entry, Located]]) -> Located | None:
    same = [note for other, note in changed.values() if (other.rule, other.note) == (entry.rule, entry.note)]
    return same[0] if same else None


def _text(entry: _Entry, half: DocHalf | None) -> str:
    """What the spec keeps for `entry` in the other half's language (its numbers are that half's when
    its note matched exactly)."""
    if half is None:
        return ""
    if entry.rule is not None:
        return entry.rule.doc if half.language == "en" else entry.rule.doc_zh
    note = entry.note
    return "" if note is None else note.en if half.language == "en" else note.zh


def _compare_example(page: OperationPage, operation: SpecOperation, spec: SpecView, out: Findings) -> None:
    half = page.english
    example = half.example
    response = operation.response_pointer or (*operation.pointer, "responses", "200")
    if example is not None and operation.response_pointer is not None and operation.empty_body is None:
        differences = field_differences(parse_example(example, page.file), operation.response_pointer, spec)
        if differences:
            for difference in differences:
                _report_field(difference, example, page, out)
            return
    problem = example_problem(example, operation, spec, page.file)
    if problem is not None:
        line = example.line if example else half.params_line
        out.add("drift", "response-example", line, problem, "the 200 response", response)


def _report_field(difference: Any, example: Located, page: OperationPage, out: Findings) -> None:
    zh_example = page.chinese.example if page.chinese is not None else None
    agreed = zh_example is None or _example_json(zh_example, page.file) == _example_json(example, page.file)
    properties = (*difference.schema, "properties")
    line = field_line(example, difference.name)
    fix: list[Edit] = []
    kind = json_type(difference.value)
    if difference.kind == "added":
        if agreed and kind is not None:
            fix = [Edit("set", (*properties, difference.name), {"type": kind})]
        out.add(
            "drift",
            "response-field-added",
            line,
            f"{difference.path}: {json.dumps(difference.value, ensure_ascii=False)}",
            "no such property",
            properties,
            fix=fix,
        )
    elif difference.kind == "missing":
        required = [name for name in _required(out.spec, difference.schema) if name != difference.name]
        if agreed:
            fix = [Edit("set", (*difference.schema, "required"), required)]
        out.add(
            "drift",
            "response-field-missing",
            example.line,
            f"{difference.path}: not in the example",
            f"{difference.name} is required",
            (*difference.schema, "required"),
            fix=fix,
        )
    else:
        if agreed and kind is not None and difference.property_inline:
            fix = [Edit("set", (*properties, difference.name, "type"), kind)]
        out.add(
            "drift",
            "response-field-type",
            line,
            f"{difference.path}: {json.dumps(difference.value, ensure_ascii=False)} ({kind})",
            f"{difference.name}: another type",
            (*properties, difference.name),
            fix=fix,
        )


def _required(spec: SpecView, pointer: Pointer) -> list[str]:
    node: Any = spec.raw
    for part in pointer:
        node = node[part]
    return [str(name) for name in node.get("required", [])]


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
        differ(f"{name} mandatory", zh.line, _mandatory(en.mandatory), _mandatory(zh.mandatory), en.line)
        spec_has_enum = name in declared and declared[name].enum is not None
        en_enum, zh_enum = en.enum_for(spec_has_enum), zh.enum_for(spec_has_enum)
        if en_enum is not None or zh_enum is not None:
            differ(
                f"{name} values",
                zh.line,
                _values(tuple(sorted(en_enum or ()))),
                _values(tuple(sorted(zh_enum or ()))),
                en.line,
            )
    en_example, zh_example = (
        _example_json(english.example, page.file),
        _example_json(chinese.example, page.file),
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


def _example_json(example: Located | None, file: Path) -> Any:
    """The example as JSON data, so that only a different document (not its layout) differs."""
    return None if example is None else {"json": parse_example(example, file)}


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
