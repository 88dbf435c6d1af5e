"""Comparing the English half's response example with the 200 response schema, field by field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .._exact import DECIMAL_PATTERN, EXTENSION
from ._findings import Findings
from ._model import Edit, Located, OperationPage
from ._response import (
    FieldDifference,
    example_problem,
    field_differences,
    field_line,
    json_type,
    parse_example,
)
from ._spec_view import Pointer, SpecOperation, SpecView


def compare_example(page: OperationPage, operation: SpecOperation, spec: SpecView, out: Findings) -> None:
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


def _report_field(difference: FieldDifference, example: Located, page: OperationPage, out: Findings) -> None:
    zh_example = page.chinese.example if page.chinese is not None else None
    agreed = zh_example is None or example_json(zh_example, page.file) == example_json(example, page.file)
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
            fix += _decimal_format(out.spec, (*properties, difference.name), kind)
        out.add(
            "drift",
            "response-field-type",
            line,
            f"{difference.path}: {json.dumps(difference.value, ensure_ascii=False)} ({kind})",
            f"{difference.name}: another type",
            (*properties, difference.name),
            fix=fix,
        )


def _decimal_format(spec: SpecView, pointer: Pointer, kind: str) -> list[Edit]:
    """An exact amount (`x-binance-decimal`) stays one under its new JSON type: a string amount carries
    the plain-decimal pattern, a number one none."""
    node = spec.node(pointer)
    if not node.get(EXTENSION):
        return []
    if kind == "string":
        return [Edit("set", (*pointer, "pattern"), DECIMAL_PATTERN)]
    return [Edit("delete", (*pointer, "pattern"), None)] if "pattern" in node else []


def _required(spec: SpecView, pointer: Pointer) -> list[str]:
    return [str(name) for name in spec.node(pointer).get("required", [])]


def example_json(example: Located | None, file: Path) -> Any:
    """The example as JSON data, so that only a different document (not its layout) differs."""
    return None if example is None else {"json": parse_example(example, file)}
