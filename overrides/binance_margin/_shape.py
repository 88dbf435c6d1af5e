"""Check that a parsed model holds the types it declares.

The generated `from_dict` methods copy JSON values into attrs models without checking them, so a body
with `"liabilityQty": "abc"` would otherwise come back as a LiabilityCoin holding a string. The declared
field types of the generated models are the reference; nothing is restated here.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

import attrs

Valid = Callable[[Any], bool]


def _number(value: Any) -> bool:
    # bool is an int subclass, but a JSON true is not a number. JSON numbers with a fraction parse as Decimal.
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _anything(value: Any) -> bool:
    return True


def _fields(model: type) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(model)
    return tuple((field.name, hints[field.name]) for field in attrs.fields(model) if field.name in hints)


@cache
def _validator(hint: Any) -> Valid:
    """A predicate for values of type `hint`, built once per type: the hot path only calls it."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return _anything
    if origin in (typing.Union, types.UnionType):
        options = tuple(_validator(option) for option in typing.get_args(hint))
        return lambda value: any(option(value) for option in options)
    if origin is list:
        (item_hint,) = typing.get_args(hint) or (Any,)
        item = _validator(item_hint)
        return lambda value: isinstance(value, list) and all(item(element) for element in value)
    if origin is dict:
        return lambda value: isinstance(value, dict)
    if hint is float:
        return _number
    if hint is int:
        return _integer
    if isinstance(hint, type) and attrs.has(hint):
        model = hint
        fields = tuple((name, _validator(field_hint)) for name, field_hint in _fields(model))

        def valid_model(value: Any) -> bool:
            if not isinstance(value, model):
                return False
            for name, valid in fields:  # noqa: SIM110 (a loop, not all(<generator>): it runs on every answer)
                if not valid(getattr(value, name)):
                    return False
            return True

        return valid_model
    if isinstance(hint, type):
        kind = hint
        return lambda value: isinstance(value, kind)
    return _anything  # an annotation this check does not understand: nothing to hold against the value


def _explain(value: Any, hint: Any, where: str) -> str:
    """Where `value` breaks `hint` (called only once `_validator` said it does)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        # Explain against the member the value is an instance of (a model, or a list for list[...]).
        for option in typing.get_args(hint):
            kind = typing.get_origin(option) or option
            if isinstance(kind, type) and isinstance(value, kind):
                return _explain(value, option, where)
    if origin is list and isinstance(value, list):
        (item_hint,) = typing.get_args(hint) or (Any,)
        for index, element in enumerate(value):
            if not _validator(item_hint)(element):
                return _explain(element, item_hint, f"{where}[{index}]")
    if isinstance(hint, type) and attrs.has(hint) and isinstance(value, hint):
        for name, field_hint in _fields(hint):
            if not _validator(field_hint)(getattr(value, name)):
                return _explain(getattr(value, name), field_hint, f"{where}.{name}")
    expected = getattr(hint, "__name__", None) or str(hint)
    return f"{where} is {value!r}, not {expected}"


def shape_mismatch(value: Any, hint: Any) -> str | None:
    """Where the parsed `value` first differs from the declared type `hint` (None when it conforms)."""
    return None if _validator(hint)(value) else _explain(value, hint, "body")
