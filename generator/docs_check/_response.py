"""Checking a documented response example against the spec's 200 response: field by field, then with
an OpenAPI 3.0 validator for anything else."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

# jsonschema ships no type hints (types-jsonschema is not a dev dependency).
from jsonschema.exceptions import best_match  # type: ignore[import-untyped,unused-ignore]
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from ._model import Located, UnreadableInput
from ._spec_view import Pointer, SpecOperation, SpecView

_SPEC_URI = "urn:binance-margin:spec"


@dataclass(frozen=True)
class FieldDifference:
    """A field the example and the schema disagree on. `schema` is the object schema holding it (a
    `$ref` followed); `value` is the example's value (None when the field is missing)."""

    kind: Literal["added", "missing", "type"]
    path: str
    name: str
    schema: Pointer
    value: Any
    property_inline: bool


def parse_example(example: Located, file: Path) -> Any:
    """The example's JSON. Tab indentation and trailing spaces are plain JSON whitespace."""
    try:
        return json.loads(example.text)
    except json.JSONDecodeError as error:
        raise UnreadableInput(
            file, example.line + error.lineno - 1, f"the response example is not JSON: {error.msg}"
        ) from error


def json_type(value: Any) -> str | None:
    """The OpenAPI type a JSON scalar is documented as (None for null, objects and arrays)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def _fits(value: Any, schema_type: str | None) -> bool:
    if schema_type is None:
        return True
    if schema_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if schema_type == "object":
        return isinstance(value, dict)
    if schema_type == "array":
        return isinstance(value, list)
    return json_type(value) == schema_type


def _follow(spec: SpecView, pointer: Pointer, node: Any) -> tuple[Pointer, dict[str, Any]]:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        pointer = tuple(part.replace("~1", "/").replace("~0", "~") for part in node["$ref"][2:].split("/"))
        node = spec.node(pointer)
    return pointer, node if isinstance(node, dict) else {}


def field_differences(value: Any, pointer: Pointer, spec: SpecView) -> list[FieldDifference]:
    """Fields of `value` the schema at `pointer` does not declare, required fields it lacks, and
    scalar fields of another type: walked through `$ref`s, `oneOf`/`anyOf` and array items."""
    found: list[FieldDifference] = []

    def walk(value: Any, pointer: Pointer, node: Any, path: str) -> None:
        pointer, schema = _follow(spec, pointer, node)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                for index, branch in enumerate(schema[key]):
                    branch_pointer, branch_schema = _follow(spec, (*pointer, key, str(index)), branch)
                    if _fits(value, branch_schema.get("type")):
                        walk(value, branch_pointer, branch_schema, path)
                        return
                return
        if isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                walk(item, (*pointer, "items"), schema["items"], f"{path}[{index}]")
        if not isinstance(value, dict) or schema.get("type") not in (None, "object"):
            return
        properties: dict[str, Any] = schema.get("properties", {})
        for name, item in value.items():
            if name not in properties:
                found.append(FieldDifference("added", f"{path}.{name}", name, pointer, item, False))
                continue
            inline = not (isinstance(properties[name], dict) and "$ref" in properties[name])
            _, declared = _follow(spec, (*pointer, "properties", name), properties[name])
            if json_type(item) is not None and not _fits(item, declared.get("type")):
                found.append(FieldDifference("type", f"{path}.{name}", name, pointer, item, inline))
            elif isinstance(item, (dict, list)):
                walk(item, (*pointer, "properties", name), properties[name], f"{path}.{name}")
        for name in schema.get("required", []):
            if name not in value:
                found.append(FieldDifference("missing", f"{path}.{name}", name, pointer, None, False))

    walk(value, pointer, spec.node(pointer), "$")
    # One report per field and schema: the same new field in every item of an array is one change.
    unique: dict[tuple[str, str, Pointer], FieldDifference] = {}
    for difference in found:
        unique.setdefault((difference.kind, difference.name, difference.schema), difference)
    return list(unique.values())


def field_line(example: Located, name: str) -> int:
    """The line of the example on which field `name` first appears (the example's first line if none)."""
    pattern = re.compile(rf'"{re.escape(name)}"\s*:')
    for offset, text in enumerate(example.text.split("\n")):
        if pattern.search(text):
            return example.line + offset
    return example.line


def example_problem(
    example: Located | None, operation: SpecOperation, spec: SpecView, file: Path
) -> str | None:
    """Why the example does not fit the spec's 200 response, or None when it does."""
    text = example.text.strip() if example is not None else ""
    if operation.empty_body is not None:
        if text in operation.empty_body:
            return None
        return "the docs show a body; the spec documents an empty one"
    if operation.response_pointer is None:
        return None if not text else "the spec has no JSON schema for the 200 response"
    if example is None:
        return "the docs show no response example"
    pointer = "/".join(part.replace("~", "~0").replace("/", "~1") for part in operation.response_pointer)
    registry: Registry[Any] = Registry().with_resource(
        _SPEC_URI, Resource.from_contents(spec.raw, default_specification=DRAFT4)
    )
    validator = OAS30Validator({"$ref": f"{_SPEC_URI}#/{pointer}"}, registry=registry)
    error = best_match(validator.iter_errors(parse_example(example, file)))
    if error is None:
        return None
    where = error.json_path
    return f"{where}: {error.message}"
