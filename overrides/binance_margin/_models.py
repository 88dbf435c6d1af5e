"""The operation's models from a parsed JSON value, checked against the types the generated models declare.

The generated `from_dict` methods copy JSON values into attrs models without checking them, so a body with
`"asset": 1` would otherwise come back as a model holding an int. The models' declared field types are
the reference: a check is built once per type, and the hot path only calls it.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

import attrs
from binance_margin_api import models
from binance_margin_api.spec_metadata import ResponseShape

Check = Callable[[Any], bool]
# What a generated from_dict raises on a value of the wrong shape (Decimal's InvalidOperation included).
_FROM_DICT_ERRORS = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError)


class ModelError(Exception):
    """The JSON value is not the documented response."""


def _anything(value: Any) -> bool:
    return True


@cache
def _check(hint: Any) -> Check:
    """Whether a value is of the declared type `hint` (bool is never a number: JSON true is not 1)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = tuple(_check(option) for option in typing.get_args(hint))
        return lambda value: any(option(value) for option in options)
    if origin is list:
        item = _check((typing.get_args(hint) or (Any,))[0])
        return lambda value: isinstance(value, list) and all(item(element) for element in value)
    if origin is dict:
        return lambda value: isinstance(value, dict)
    if hint in (int, float):
        kinds = (int,) if hint is int else (int, float, Decimal)
        return lambda value: isinstance(value, kinds) and not isinstance(value, bool)
    if isinstance(hint, type) and attrs.has(hint):
        model, fields = hint, _fields(hint)

        def valid_model(value: Any) -> bool:
            if not isinstance(value, model):
                return False
            for name, valid in fields:  # noqa: SIM110 (a loop, not all(<generator>): it runs on every answer)
                if not valid(getattr(value, name)):
                    return False
            return True

        return valid_model
    if isinstance(hint, type):
        return lambda value: isinstance(value, hint)
    return _anything  # an annotation this check does not understand (Any): nothing to hold against the value


@cache
def _fields(model: type) -> tuple[tuple[str, Check], ...]:
    hints = typing.get_type_hints(model)
    return tuple(
        (field.name, _check(hints[field.name])) for field in attrs.fields(model) if field.name in hints
    )


@cache
def _model(name: str) -> Any:
    return getattr(models, name)


def _one(model: Any, value: Any) -> Any:
    if not isinstance(value, dict):
        raise ModelError(f"expected a {model.__name__} object, got {type(value).__name__}")
    try:
        parsed = model.from_dict(value)
    except _FROM_DICT_ERRORS as error:
        raise ModelError(f"{model.__name__}: {type(error).__name__}: {error}") from None
    if not _check(model)(parsed):
        wrong = next(name for name, valid in _fields(model) if not valid(getattr(parsed, name)))
        raise ModelError(f"{model.__name__}.{wrong} is {getattr(parsed, wrong)!r}: not the declared type")
    return parsed


def models_of(shape: ResponseShape, value: Any) -> Any:
    """One model, or a list of them, as `shape` documents (an object, an array, or either)."""
    model = _model(shape.model)
    if isinstance(value, list) and shape.container in ("array", "object-or-array"):
        return [_one(model, item) for item in value]
    if shape.container in ("object", "object-or-array"):
        return _one(model, value)
    raise ModelError(f"expected an array of {model.__name__}, got {type(value).__name__}")
