"""Comparing an operation page with the spec: its front matter, endpoint, security type, weight and
parameters here; its texts (_texts), its response example (_examples), its halves (_halves).

The English half's facts (endpoint, security type, weight, parameters, rule numbers, response fields)
are compared with the spec; the Chinese half's facts with the English half's. Every text of both halves
(title, API description, parameter descriptions, notes and rules) is compared with the wording the spec
keeps for that language. A mechanical finding carries the spec edits that resolve it (`Finding.fix`),
but only when the Chinese half says the same: when the halves disagree, a human decides.
"""

from __future__ import annotations

from typing import Any

from ._examples import compare_example
from ._findings import Findings, listing, weight_text, yes_no
from ._model import DocHalf, DocParam, Edit, Finding, OperationPage
from ._page import without_values
from ._spec_view import SpecOperation, SpecParam, SpecView
from ._texts import compare_texts

__all__ = ["DOC_TYPES", "compare_page"]

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
        compare_texts(each, page, operation, out)
    compare_example(page, operation, spec, out)
    return out.items


def _compare_weight(page: OperationPage, operation: SpecOperation, spec: SpecView, out: Findings) -> None:
    half, chinese = page.english, page.chinese
    pointer = (*operation.pointer, "x-binance-weight")
    spec_text = weight_text(operation.weight_value, operation.weight_kind)
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
        docs = weight_text(weight.value, weight.kind)
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
            docs = weight_text(weight.value, weight.kind)
            out.add("drift", "weight-kind", weight.kind_line, docs, spec_text, pointer, detail, fix=fix)
        return
    # No kind on the page (the futures pages): compare with the kind the API family implies, if any.
    implied = spec.implied_weight_kind(operation.family)
    if implied is None:
        out.add(
            "info", "weight-kind-unstated", weight.line, weight_text(weight.value, None), spec_text, pointer
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
        expected = f"signed ({name} {yes_no(mandatory)})" if operation.signed else "not signed"
        if row is None and operation.signed:
            out.add(
                "drift", "signing", half.params_line, f"no `{name}` parameter", expected, operation.pointer
            )
        elif row is not None and (not operation.signed or row.mandatory != mandatory):
            docs = f"`{name}` {yes_no(row.mandatory)}"
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
                f"{name} {row.type} {yes_no(row.mandatory)}" + (f" ({listing(enum)})" if enum else ""),
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
            f"{name}: mandatory {yes_no(row.mandatory)}",
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
            f"{name}: {listing(enum)}",
            f"{name}: {listing(declared.enum)}",
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
            f"{name}: {listing(declared.enum)}",
            where,
        )
