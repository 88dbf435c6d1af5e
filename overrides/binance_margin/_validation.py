"""Refuse calls that break the spec's documented rules before anything is sent, and turn the arguments
of a valid call into its wire parameters.

Arguments are Python values keyed by the spec's parameter names, exactly typed: an array parameter takes
a list or tuple of str (never a bare str, whose characters would become items), a string parameter a str
(an enum member counts as its value), an integer parameter an int (never a bool). The checks are the
small subset of JSON Schema the spec's parameters use (type, enum, pattern, lengths, item counts,
uniqueness) plus the `x-binance-rules` that the client can check alone; every number and rule comes from
the generated spec metadata. Each operation's checks are put together once, on its first call.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Final

from binance_margin_api.spec_metadata import MaxItems, Operation, Parameter, RequiredIf

from ._errors import BinanceValidationError

# A parameter's check: its wire value(s) from a given (not None) argument, or BinanceValidationError.
Check = Callable[[object], list[str]]


def _compiled(pattern: str) -> re.Pattern[str]:
    # JSON Schema patterns are ECMA-262: `$` is the end of input. Python's `$` also matches before a
    # trailing newline, which would let "BTC\n" through; `\Z` is Python's end of input.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.compile(pattern)


# A lone surrogate (e.g. from bytes that were not UTF-8) cannot be percent-encoded as UTF-8.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _refusal(operation_id: str, name: str, message: str, rule: str = "") -> BinanceValidationError:
    """The error of a check of parameter `name`: its message begins with the name."""
    return BinanceValidationError(operation_id, f"{name} {message}", parameter=name, rule=rule)


def _text_check(operation_id: str, schema: Parameter) -> Callable[[object, str], str]:
    """The check of one str value: a string parameter's, or an array's item (`where` says which one)."""
    refuse = partial(_refusal, operation_id, schema.name)
    enum_values, pattern, max_length = schema.enum, schema.pattern, schema.max_length
    allowed = frozenset(enum_values) if enum_values is not None else None
    matcher = _compiled(pattern) if pattern is not None else None
    low = schema.min_length or 0

    def check(value: object, where: str = "") -> str:
        if type(value) is not str:
            if isinstance(value, enum.Enum) and isinstance(value.value, str):
                value = value.value
            elif not isinstance(value, str):
                raise refuse(f"{where}must be a str, not {type(value).__name__} ({value!r})")
        text = str(value) if type(value) is not str else value
        if not text.isascii() and _SURROGATE.search(text):
            raise refuse(f"{where}is not text (it holds a lone surrogate: bytes that were not UTF-8)")
        if allowed is not None and text not in allowed:
            raise refuse(f"{where}is {text!r}; it must be one of {', '.join(enum_values or ())}")
        if len(text) < low:
            raise refuse(f"{where}is {text!r}; it must have at least {low} character(s)")
        if max_length is not None and len(text) > max_length:
            raise refuse(f"{where}is {text!r}; it must have at most {max_length} characters")
        if matcher is not None and matcher.search(text) is None:
            raise refuse(f"{where}is {text!r}; it must match {pattern}")
        return text

    return check


def _parameter_check(operation: Operation, parameter: Parameter) -> Check:
    name = parameter.name
    refuse = partial(_refusal, operation.operation_id, name)
    if parameter.type == "integer":

        def integer(value: object) -> list[str]:
            if type(value) is not int:
                raise refuse(f"must be an int, not {type(value).__name__} ({value!r})")
            return [str(value)]

        return integer
    if parameter.type == "string":
        text = _text_check(operation.operation_id, parameter)
        return lambda value: [text(value, "")]
    if parameter.type != "array" or parameter.items is None:
        raise TypeError(f"{operation.operation_id}.{name}: this client cannot send a {parameter.type!r}")
    item = _text_check(operation.operation_id, parameter.items)
    fewest, most = parameter.min_items or 0, parameter.max_items
    max_rule = next(
        (rule.doc for rule in operation.rules if isinstance(rule, MaxItems) and rule.parameter == name), ""
    )
    unique, joined = parameter.unique_items, parameter.comma_joined

    def array(value: object) -> list[str]:
        if not isinstance(value, list | tuple):
            raise refuse(f"must be a list (or tuple) of str, not {type(value).__name__} ({value!r})")
        items = [item(element, f"item {index} ") for index, element in enumerate(value)]
        if len(items) < fewest:
            raise refuse(f"has {len(items)} item(s); it needs at least {fewest}")
        if most is not None and len(items) > most:
            raise refuse(f"has {len(items)} items; at most {most} are allowed", max_rule)
        if unique and len(set(items)) != len(items):
            repeated = sorted({element for element in items if items.count(element) > 1})
            raise refuse(f"repeats {', '.join(repeated)}; items must be unique")
        return [",".join(items)] if joined else items

    return array


class _Plan:
    """One operation's checks, in the spec's parameter order."""

    def __init__(self, operation: Operation) -> None:
        self.names = frozenset(parameter.name for parameter in operation.parameters)
        self.steps = tuple(
            (parameter.name, parameter.required, _parameter_check(operation, parameter))
            for parameter in operation.parameters
        )
        self.required_if = tuple(rule for rule in operation.rules if isinstance(rule, RequiredIf))


_PLANS: Final[dict[str, _Plan]] = {}


def validate(operation: Operation, arguments: Mapping[str, object]) -> list[tuple[str, str]]:
    """The wire parameters of a call with these `arguments` (None or absent: not given), in the spec's
    order; BinanceValidationError for the first documented rule the call breaks."""
    plan = _PLANS.get(operation.operation_id)
    if plan is None:
        plan = _PLANS[operation.operation_id] = _Plan(operation)
    if not isinstance(arguments, Mapping):
        raise BinanceValidationError(
            operation.operation_id, f"arguments must be a mapping, not {type(arguments).__name__}"
        )
    if arguments.keys() - plan.names:
        unknown = sorted(str(name) for name in arguments.keys() - plan.names)
        raise BinanceValidationError(operation.operation_id, f"unknown parameter(s) {', '.join(unknown)}")
    wire: list[tuple[str, str]] = []
    for name, required, check in plan.steps:
        value = arguments.get(name)
        if value is None:
            if required:
                raise _refusal(operation.operation_id, name, "is required")
            continue
        for text in check(value):
            wire.append((name, text))
    for rule in plan.required_if:
        if arguments.get(rule.parameter) is None and (rule.when_parameter, rule.when_value) in wire:
            message = f"is required when {rule.when_parameter} is {rule.when_value}"
            raise _refusal(operation.operation_id, rule.parameter, message, rule.doc)
    return wire
