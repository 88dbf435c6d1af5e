"""JSON with exact amounts: Decimals are written as JSON numbers with their own digits, never via float.

The standard library's encoder writes numbers only from int and float, so a `liabilityQty` of
0.35520000000000000001 would lose digits. simplejson (the `mock` extra) embeds pre-encoded JSON
(`RawJSON`): a Decimal is written in plain notation (`format(value, "f")`: 4.7100 stays 4.7100,
0.00000012 stays 0.00000012 instead of 1.2E-7).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import simplejson


def _plain_number(value: object) -> simplejson.RawJSON:
    if isinstance(value, Decimal) and value.is_finite():
        return simplejson.RawJSON(format(value, "f"))
    raise TypeError(f"cannot write {value!r} as JSON")


def dumps(body: Any) -> str:
    """Compact JSON, UTF-8 kept as is (Binance does not escape non-ASCII symbols)."""
    return simplejson.dumps(
        body, ensure_ascii=False, separators=(",", ":"), use_decimal=False, default=_plain_number
    )


def loads(text: str | bytes) -> Any:
    """JSON with every non-integer number as a Decimal (no float in between); a ValueError for any text
    that does not load, one nested past the parser's depth too (a RecursionError)."""
    try:
        return json.loads(text, parse_float=Decimal)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
