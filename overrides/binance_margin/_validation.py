"""Refuse calls that break the spec's documented rules before anything is sent.

The checks are the small subset of JSON Schema the spec's parameters use (type, enum, pattern, lengths,
item counts, uniqueness) plus the `x-binance-rules` that the client can check alone; every number and
rule comes from the generated spec metadata.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from binance_margin_api.spec_metadata import MaxItems, Operation, Parameter, RequiredIf

from ._errors import BinanceValidationError


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    # JSON Schema patterns are ECMA-262: `$` is the end of input. Python's `$` also matches before a
    # trailing newline, which would let "BTC\n" through; `\Z` is Python's end of input.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.compile(pattern)


def _check_scalar(
    operation: Operation,
    name: str,
    value: str,
    *,
    kind: str | None,
    enum: tuple[str, ...] | None,
    pattern: str | None,
    min_length: int | None,
    max_length: int | None,
) -> None:
    def refuse(message: str, rule: str = "") -> BinanceValidationError:
        return BinanceValidationError(operation.operation_id, f"{name} {message}", parameter=name, rule=rule)

    if enum is not None and value not in enum:
        raise refuse(f"is {value!r}; it must be one of {', '.join(enum)}")
    if kind == "integer" and re.fullmatch(r"-?[0-9]+", value) is None:
        raise refuse(f"is {value!r}; it must be an integer")
    if min_length is not None and len(value) < min_length:
        raise refuse(f"is {value!r}; it must have at least {min_length} character(s)")
    if max_length is not None and len(value) > max_length:
        raise refuse(f"is {value!r}; it must have at most {max_length} characters")
    if pattern is not None and _compiled(pattern).search(value) is None:
        raise refuse(f"is {value!r}; it must match {pattern}")


def _check_parameter(operation: Operation, parameter: Parameter, values: list[str]) -> None:
    name = parameter.name
    if parameter.type != "array":
        if len(values) > 1:
            raise BinanceValidationError(
                operation.operation_id, f"{name} was given {len(values)} times", parameter=name
            )
        _check_scalar(
            operation,
            name,
            values[0],
            kind=parameter.type,
            enum=parameter.enum,
            pattern=parameter.pattern,
            min_length=parameter.min_length,
            max_length=parameter.max_length,
        )
        return
    max_rule = next(
        (rule.doc for rule in operation.rules if isinstance(rule, MaxItems) and rule.parameter == name), ""
    )
    if parameter.min_items is not None and len(values) < parameter.min_items:
        raise BinanceValidationError(
            operation.operation_id,
            f"{name} has {len(values)} item(s); it needs at least {parameter.min_items}",
            parameter=name,
        )
    if parameter.max_items is not None and len(values) > parameter.max_items:
        raise BinanceValidationError(
            operation.operation_id,
            f"{name} has {len(values)} items; at most {parameter.max_items} are allowed",
            parameter=name,
            rule=max_rule,
        )
    if parameter.unique_items:
        duplicates = sorted({value for value in values if values.count(value) > 1})
        if duplicates:
            raise BinanceValidationError(
                operation.operation_id,
                f"{name} repeats {', '.join(duplicates)}; items must be unique",
                parameter=name,
            )
    for value in values:
        _check_scalar(
            operation,
            name,
            value,
            kind=parameter.item_type,
            enum=None,
            pattern=parameter.item_pattern,
            min_length=parameter.item_min_length,
            max_length=parameter.item_max_length,
        )


def validate(operation: Operation, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Check the business parameters of a call; return them as wire pairs (array params comma-joined).

    `pairs` are the parameters as the generated code built them (an array parameter repeated once per item).
    """
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    known = {parameter.name for parameter in operation.parameters}
    unknown = sorted(values.keys() - known)
    if unknown:
        raise BinanceValidationError(operation.operation_id, f"unknown parameter(s) {', '.join(unknown)}")
    for parameter in operation.parameters:
        given = values.get(parameter.name)
        if given is None:
            if parameter.required:
                raise BinanceValidationError(
                    operation.operation_id, f"{parameter.name} is required", parameter=parameter.name
                )
            continue
        _check_parameter(operation, parameter, given)
    for rule in operation.rules:
        if (
            isinstance(rule, RequiredIf)
            and values.get(rule.when_parameter) == [rule.when_value]
            and rule.parameter not in values
        ):
            raise BinanceValidationError(
                operation.operation_id,
                f"{rule.parameter} is required when {rule.when_parameter} is {rule.when_value}",
                parameter=rule.parameter,
                rule=rule.doc,
            )
    wire: list[tuple[str, str]] = []
    for parameter in operation.parameters:
        given = values.get(parameter.name)
        if given is not None:
            joined = ",".join(given) if parameter.comma_joined else given[0]
            wire.append((parameter.name, joined))
    return wire
