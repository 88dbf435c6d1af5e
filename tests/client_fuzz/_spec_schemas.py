"""The spec's own schemas, read straight from spec/openapi.yaml: the oracle the client is tested against.

Deliberately not the generated metadata the client itself uses, so a wrong metadata module cannot make
these tests agree with it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from generator._paths import SPEC_PATH


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def inline(node: Any) -> Any:
    """`node` with every local $ref replaced by its target (the spec has no recursive schemas)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec()
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            return inline(target)
        return {key: inline(value) for key, value in node.items()}
    if isinstance(node, list):
        return [inline(item) for item in node]
    return node


def operation(path: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = spec()["paths"][path][method.lower()]
    return found


def query_schema(path: str, method: str) -> dict[str, Any]:
    """A JSON schema for the operation's business parameters as one object (arrays as lists)."""
    parameters = [inline(p) for p in operation(path, method).get("parameters", [])]
    return {
        "type": "object",
        "properties": {p["name"]: p["schema"] for p in parameters},
        "required": [p["name"] for p in parameters if p.get("required")],
        "additionalProperties": False,
    }


def rules_hold(path: str, method: str, values: dict[str, Any]) -> bool:
    """The spec's x-binance-rules that a single request can break (required-if)."""
    for rule in operation(path, method).get("x-binance-rules", []):
        if (
            rule["id"] == "required-if"
            and values.get(rule["when_parameter"]) == rule["when_value"]
            and rule["parameter"] not in values
        ):
            return False
    return True


def success_schema(path: str, method: str) -> dict[str, Any] | None:
    """The 200 response's JSON schema, or None for a documented empty body."""
    content = operation(path, method)["responses"]["200"].get("content")
    if content is None:
        return None
    schema: dict[str, Any] = inline(content["application/json"]["schema"])
    return schema
