"""The operation's models from a parsed JSON value, checked against the types the generated models declare.

The generated `from_dict` methods copy JSON values into attrs models without checking them, so a body with
`"asset": 1` would otherwise come back as a model holding an int. The declared field types of the
generated models are the reference (`_shape`); nothing is restated here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from binance_margin_api import models
from binance_margin_api.spec_metadata import ResponseShape

from ._shape import shape_mismatch

# What a generated from_dict raises on a value of the wrong shape (Decimal's InvalidOperation is an
# ArithmeticError).
_FROM_DICT_ERRORS = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError)


class ModelError(Exception):
    """The JSON value is not the documented response."""


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
    mismatch = shape_mismatch(parsed, model)
    if mismatch is not None:
        raise ModelError(mismatch)
    return parsed


def models_of(shape: ResponseShape, value: Any) -> Any:
    """One model, or a list of them, as `shape` documents (an object, an array, or either)."""
    model = _model(shape.model)
    if isinstance(value, list) and shape.container in ("array", "object-or-array"):
        return [_one(model, item) for item in value]
    if shape.container in ("object", "object-or-array"):
        return _one(model, value)
    raise ModelError(f"expected an array of {model.__name__}, got {type(value).__name__}")
