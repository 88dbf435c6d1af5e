"""Checking a documented response example against the spec's 200 response."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# jsonschema ships no type hints (types-jsonschema is not a dev dependency).
from jsonschema.exceptions import best_match  # type: ignore[import-untyped,unused-ignore]
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from ._model import Located, UnreadableInput
from ._spec_view import SpecOperation, SpecView

_SPEC_URI = "urn:binance-margin:spec"


def parse_example(example: Located, file: Path) -> Any:
    """The example's JSON. Tab indentation and trailing spaces are plain JSON whitespace."""
    try:
        return json.loads(example.text)
    except json.JSONDecodeError as error:
        raise UnreadableInput(
            file, example.line + error.lineno - 1, f"the response example is not JSON: {error.msg}"
        ) from error


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
