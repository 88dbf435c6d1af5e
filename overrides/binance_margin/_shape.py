"""Check that a parsed model holds the types it declares.

The generated `from_dict` methods copy JSON values into attrs models without checking them, so a body
with `"liabilityQty": "abc"` would otherwise come back as a LiabilityCoin holding a string. The declared
field types of the generated models are the reference; nothing is restated here.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

import attrs


@cache
def _fields(model: type) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(model)
    return tuple((field.name, hints[field.name]) for field in attrs.fields(model) if field.name in hints)


def _mismatch(value: Any, hint: Any, where: str) -> str | None:
    """Where `value` first fails to be a `hint`, or None when it is one."""
    if hint is Any:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            if _mismatch(value, option, where) is None:
                return None
        return f"{where} is {value!r}"
    if origin is list:
        if not isinstance(value, list):
            return f"{where} is {value!r}, not a list"
        (item,) = typing.get_args(hint) or (Any,)
        for index, element in enumerate(value):
            found = _mismatch(element, item, f"{where}[{index}]")
            if found:
                return found
        return None
    if origin is dict:
        return None if isinstance(value, dict) else f"{where} is {value!r}, not an object"
    if hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f"{where} is {value!r}, not a number"
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else f"{where} is {value!r}, not an integer"
    if isinstance(hint, type) and attrs.has(hint):
        if not isinstance(value, hint):
            return f"{where} is {value!r}, not a {hint.__name__}"
        for name, field_hint in _fields(hint):
            found = _mismatch(getattr(value, name), field_hint, f"{where}.{name}")
            if found:
                return found
        return None
    if isinstance(hint, type):
        return None if isinstance(value, hint) else f"{where} is {value!r}, not a {hint.__name__}"
    return None  # an annotation this check does not understand: nothing to hold against the value


def shape_mismatch(value: Any, hint: Any) -> str | None:
    """Where the parsed `value` first differs from the declared type `hint` (None when it conforms)."""
    return _mismatch(value, hint, "body")


@cache
def _declared_result(function: Callable[..., Any]) -> Any:
    # A generated `*_detailed` function returns `Response[<parsed type>]`.
    (parsed,) = typing.get_args(typing.get_type_hints(function)["return"]) or (Any,)
    return parsed


def conforming(function: Callable[..., Any], parsed: Any) -> Any:
    """`parsed` as returned by the generated `function`, or TypeError naming where it breaks the model."""
    mismatch = shape_mismatch(parsed, _declared_result(function))
    if mismatch is not None:
        raise TypeError(mismatch)
    return parsed
