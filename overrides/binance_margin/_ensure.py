"""`ensure_margin_type`'s reading of Binance's answers: which errors mean "already so".

Setting a margin type is idempotent: asking for the type a symbol already has changes nothing. Binance
answers such a no-op with an error, and since 2026 with one of two codes:

- -4046 "No need to change margin type." (documented, FAPI);
- -4067 "Position side cannot be changed if there exists open orders." reported for a no-op on a
  symbol with no position and no open orders (binance-connector-python#538, ccxt#28703): the message
  speaks of open orders that do not exist.

How a no-op -4067 is told apart from a real open-order refusal, with only what the spec offers (the spec
has no operation that reads a symbol's margin type or its open orders, and probing by switching to the
other type and back would change state twice, so it is not an option):

- Codes are the contract, messages are not ("codes are universal, messages vary"), and codes are read
  per API family (the spec's `x-binance-error-codes`). For this endpoint the spec's FAPI table gives the
  real refusals their own codes: -4047 "Margin type cannot be changed if there exist open orders",
  -4048 "... if there exists position", -4168 "... under the Multi-Assets mode". A margin-type change
  blocked by open orders is answered -4047, never -4067.
- -4067 is the code of a different operation (changing the position side, dual-side mode), which this
  endpoint does not perform. On this endpoint it is therefore only the no-op quirk, whatever its text.
- So: -4046 and -4067 from FAPI on the margin-type endpoint are "already so" (`changed=False`, the code
  kept in the result and logged); -4047, -4048, -4168 and everything else are raised unchanged. The same
  codes from another family (SAPI's -4046 is "Agreement not confirmed.") are never read as a no-op.

Because the call is idempotent, `ensure_margin_type` may also resend after an answer whose outcome is
unknown (a 5xx or a timeout after sending): if the first request did execute, the resend answers with
one of the no-op codes above.
"""

from __future__ import annotations

from typing import Final

import attrs

from ._errors import BinanceAPIError

NOOP_CODES: Final = frozenset({-4046, -4067})
_FAMILY: Final = "fapi"
_SUCCESS: Final = 200


@attrs.frozen
class MarginTypeResult:
    """The outcome of `ensure_margin_type`: `changed` is False when the symbol already had the type;
    `code` is Binance's code (200 for a change, -4046 or -4067 for "already so")."""

    symbol: str
    margin_type: str
    changed: bool
    code: int

    def to_dict(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "marginType": self.margin_type,
            "changed": self.changed,
            "code": self.code,
        }


def changed(symbol: str, margin_type: str) -> MarginTypeResult:
    return MarginTypeResult(symbol, margin_type, True, _SUCCESS)


def already_set(error: BinanceAPIError, symbol: str, margin_type: str) -> MarginTypeResult | None:
    """The no-op result if `error` says the symbol already has the margin type, else None."""
    if error.family == _FAMILY and error.status < 500 and error.code in NOOP_CODES:
        assert error.code is not None
        return MarginTypeResult(symbol, margin_type, False, error.code)
    return None
