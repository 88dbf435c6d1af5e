"""Exact models: checked JSON types, and Decimal amounts (written by `python -m generator`)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

from .types import UNSET, Unset

_Absent = TypeVar("_Absent", bound=Unset)
_Value = TypeVar("_Value")
_JSON_NAMES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def json_value(value: Any, kind: type[_Value], field: str) -> _Value:
    """`value` if JSON gave it the property's type (`str`, `int`, `bool`; for `float` any number, as a
    float), else TypeError naming the field. JSON true and false are never numbers."""
    if isinstance(value, bool) is (kind is bool):
        if kind is float and isinstance(value, int | float | Decimal):
            return cast(_Value, float(value))
        if isinstance(value, kind):
            return value
    raise TypeError(
        f"{field}: {value!r} is not a JSON {_JSON_NAMES.get(kind, kind.__name__)}"
    )


def optional_json_value(value: Any, kind: type[_Value], field: str) -> _Value | Unset:
    """`json_value` for an optional property: an absent one (UNSET) stays UNSET."""
    return UNSET if isinstance(value, Unset) else json_value(value, kind, field)


# A plain decimal literal, as Binance writes amounts in strings: no exponent, spaces, underscores, NaN.
_LITERAL = re.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)")


def decimal_from_json(value: object, field: str) -> Decimal:
    """`value` (str, int, Decimal; a float goes through str()) as an exact Decimal, else ValueError."""
    result: Decimal | None = None
    try:
        if isinstance(value, Decimal):
            result = value
        elif isinstance(value, bool):
            result = None  # JSON true/false is not an amount
        elif isinstance(value, int):
            result = Decimal(value)
        elif isinstance(value, float):
            result = Decimal(
                str(value)
            )  # the shortest repr: the digits a JSON parser read into the float
        elif isinstance(value, str) and _LITERAL.fullmatch(value):
            result = Decimal(value)
    except (
        InvalidOperation
    ):  # an ArithmeticError: the one error this function raises is ValueError
        result = None
    if result is None or not result.is_finite():
        raise ValueError(f"{field}: {value!r} is not a decimal amount")
    return result


def decimal_to_json_string(value: Decimal) -> str:
    """A Decimal as a plain decimal string: Decimal("1.2E-7") -> "0.00000012", "4.7100" -> "4.7100"."""
    return format(value, "f")


def optional_decimal_from_json(value: object, field: str) -> Decimal | Unset:
    """`decimal_from_json` for an optional property: an absent one (UNSET) stays UNSET."""
    return UNSET if isinstance(value, Unset) else decimal_from_json(value, field)


def optional_decimal_to_json_string(value: Decimal | _Absent) -> str | _Absent:
    """`decimal_to_json_string` for an optional property: UNSET stays UNSET."""
    return value if isinstance(value, Unset) else decimal_to_json_string(value)
