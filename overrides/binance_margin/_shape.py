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

Check = Callable[[Any, str], str | None]  # (value, where) -> where it breaks the type, or None


def _is(kinds: type | tuple[type, ...], name: str) -> Check:
    def check(value: Any, where: str) -> str | None:
        # bool is an int subclass, but a JSON true is not a number.
        if isinstance(value, kinds) and not (isinstance(value, bool) and bool not in _tuple(kinds)):
            return None
        return f"{where} is {value!r}, not {name}"

    return check


def _tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _anything(value: Any, where: str) -> str | None:
    return None


@cache
def _checker(hint: Any) -> Check:
    """A function checking values against `hint`, built once per type (the hot path only calls it)."""
    if hint is Any:
        return _anything
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = tuple(_checker(option) for option in typing.get_args(hint))

        def union(value: Any, where: str) -> str | None:
            if any(option(value, where) is None for option in options):
                return None
            return f"{where} is {value!r}"

        return union
    if origin is list:
        (item_hint,) = typing.get_args(hint) or (Any,)
        item = _checker(item_hint)

        def each(value: Any, where: str) -> str | None:
            if not isinstance(value, list):
                return f"{where} is {value!r}, not a list"
            for index, element in enumerate(value):
                found = item(element, f"{where}[{index}]") if item is not _anything else None
                if found:
                    return found
            return None

        return each
    if origin is dict:
        return _is(dict, "an object")
    if hint is float:
        return _is((int, float), "a number")
    if hint is int:
        return _is(int, "an integer")
    if isinstance(hint, type) and attrs.has(hint):
        model = hint
        hints = typing.get_type_hints(model)
        fields = tuple(
            (field.name, _checker(hints[field.name])) for field in attrs.fields(model) if field.name in hints
        )

        def instance(value: Any, where: str) -> str | None:
            if not isinstance(value, model):
                return f"{where} is {value!r}, not a {model.__name__}"
            for name, check in fields:
                found = check(getattr(value, name), f"{where}.{name}")
                if found:
                    return found
            return None

        return instance
    if isinstance(hint, type):
        return _is(hint, f"a {hint.__name__}")
    return _anything  # an annotation this check does not understand: nothing to hold against the value


def shape_mismatch(value: Any, hint: Any) -> str | None:
    """Where the parsed `value` first differs from the declared type `hint` (None when it conforms)."""
    return _checker(hint)(value, "body")


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
