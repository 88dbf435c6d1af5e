"""`ensure_margin_type`'s reading of Binance's answers: which errors mean "already so".

Setting a margin type is idempotent. Binance answers a no-op with -4046 "No need to change margin type.",
and since 2026 also with -4067 (the position-side operation's code, which this endpoint does not perform:
a change blocked by open orders is -4047). So -4046 and -4067 from FAPI mean "already so"; everything
else, and the same codes from another family, is raised. docs/production.md ("ensure_margin_type") gives
the full reasoning and the reports behind it.
"""

from __future__ import annotations

from typing import Final

import attrs

from ._errors import BinanceAPIError, BinanceMarginError, BinanceTransportError

NOOP_CODES: Final = frozenset({-4046, -4067})


@attrs.frozen
class MarginTypeResult:
    """The outcome of `ensure_margin_type`: the symbol has the margin type now. `changed` is True when
    this call changed it, False when it already had it, and None when that is unknown: an attempt whose
    outcome was unknown was resent and answered "already so" (the first one may have made the change).
    `code` is Binance's code (200 for a change, -4046 or -4067 for "already so")."""

    symbol: str
    margin_type: str
    changed: bool | None
    code: int

    def to_dict(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "marginType": self.margin_type,
            "changed": self.changed,
            "code": self.code,
        }


def already_set(error: BinanceAPIError, symbol: str, margin_type: str) -> MarginTypeResult | None:
    """The no-op result if `error` says the symbol already has the margin type, else None."""
    if error.family == "fapi" and error.status < 500 and error.code in NOOP_CODES:
        return MarginTypeResult(symbol, margin_type, False, error.code)
    return None


def earlier_attempt_unknown(error: BinanceMarginError, operation: str) -> BinanceMarginError:
    """The last attempt's `error` as an unknown outcome: an earlier attempt may have made the change, so
    however the last one ended, nobody may be told that nothing executed."""
    why = "an earlier attempt's outcome is unknown: it may have made the change"
    if isinstance(error, BinanceAPIError):
        return attrs.evolve(error, message=f"{error.message}; {why}", outcome_unknown=True)
    return BinanceTransportError(
        f"{why}; the last attempt: {error}", operation=operation, outcome_unknown=True
    )
