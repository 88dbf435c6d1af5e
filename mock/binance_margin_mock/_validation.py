"""Business-parameter checks driven by the spec metadata (types, enums, patterns, lengths, rules)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from binance_margin_api.spec_metadata import MaxItems, Operation, Parameter, RequiredIf

from ._errors import Err, MockError

Validated = dict[str, str | list[str]]
Validator = Callable[[Mapping[str, str]], Validated]


def validator_for(operation: Operation) -> Validator:
    """A function that checks one request's parameters, compiled once per operation."""
    checks = tuple(_parameter_check(parameter, operation) for parameter in operation.parameters)
    required_if = tuple(rule for rule in operation.rules if isinstance(rule, RequiredIf))

    required = tuple(parameter.name for parameter in operation.parameters if parameter.required)

    def validate(params: Mapping[str, str]) -> Validated:
        for name in required:
            if not params.get(name):
                raise MockError(Err.MANDATORY, param=name)
        for rule in required_if:
            if params.get(rule.when_parameter) == rule.when_value and not params.get(rule.parameter):
                raise MockError(Err.MANDATORY, param=rule.parameter)
        out: Validated = {}
        for name, check in checks:
            raw = params.get(name)
            if raw is not None:
                out[name] = check(raw)
        return out

    return validate


def _parameter_check(
    parameter: Parameter, operation: Operation
) -> tuple[str, Callable[[str], str | list[str]]]:
    name = parameter.name
    if parameter.type == "array":
        items = parameter.items
        assert items is not None  # every array parameter has its items' schema
        item = _string_check(name, items.pattern, items.min_length, items.max_length)
        max_items = parameter.max_items
        # A documented max-items rule has no documented code: that one is the mock's own.
        rule = _max_items_rule(operation, name)
        too_many, doc = (Err.INVALID_DATA, "") if rule is None else (Err.TOO_MANY_COINS, rule.doc)

        def check_array(raw: str) -> list[str]:
            _require(name, raw)
            items = raw.split(",") if parameter.comma_joined else [raw]
            for value in items:
                item(value)
            if parameter.min_items is not None and len(items) < parameter.min_items:
                raise MockError(Err.MANDATORY, param=name)
            if max_items is not None and len(items) > max_items:
                raise MockError(too_many, param=name, doc=doc)
            if parameter.unique_items and len(set(items)) != len(items):
                raise MockError(Err.INVALID_DATA, param=name)
            return items

        return name, check_array

    scalar = _string_check(name, parameter.pattern, parameter.min_length, parameter.max_length)
    enum = frozenset(parameter.enum or ())

    def check_scalar(raw: str) -> str:
        _require(name, raw)
        if enum and raw not in enum:
            raise MockError(Err.INVALID_DATA, param=name)
        scalar(raw)
        return raw

    return name, check_scalar


def _string_check(
    name: str, pattern: str | None, min_length: int | None, max_length: int | None
) -> Callable[[str], None]:
    compiled = re.compile(pattern) if pattern else None
    low, high = min_length or 0, max_length
    legal = pattern or ".*"

    def check(value: str) -> None:
        # fullmatch: `$` alone would accept a trailing newline.
        if (
            len(value) < low
            or (high is not None and len(value) > high)
            or (compiled is not None and compiled.fullmatch(value) is None)
        ):
            raise MockError(Err.ILLEGAL_CHARS, param=name, pattern=legal)

    return check


def _require(name: str, raw: str) -> None:
    if not raw:
        raise MockError(Err.MANDATORY, param=name)


def _max_items_rule(operation: Operation, name: str) -> MaxItems | None:
    for rule in operation.rules:
        if isinstance(rule, MaxItems) and rule.parameter == name:
            return rule
    return None
