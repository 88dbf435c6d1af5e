"""Binance's error answers, keyed by API family: the same code means different things on SAPI and FAPI.

Every Binance code here comes from the spec's error-code table (`spec_metadata.ERROR_CODES`, generated from
`info.x-binance-error-codes`): an answer names the documented meaning it gives, and the code is the one the
table documents with that meaning for the family. The mock's own codes (rules Binance gives no code for)
must not be documented codes. The tables are built once, at import; a meaning the spec does not document
(or documents twice) fails the import.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping
from typing import Final

from binance_margin_api import spec_metadata


class Err(enum.StrEnum):
    """What went wrong, independent of the code a family uses for it."""

    TOO_MUCH_WEIGHT = "too-much-weight"
    IP_BANNED = "ip-banned"
    TIMESTAMP = "timestamp"
    TIMESTAMP_AHEAD = "timestamp-ahead"
    SIGNATURE = "signature"
    ILLEGAL_CHARS = "illegal-chars"
    DUPLICATE_PARAM = "duplicate-param"
    MANDATORY = "mandatory"
    INVALID_SYMBOL = "invalid-symbol"
    INVALID_DATA = "invalid-data"
    RECV_WINDOW = "recv-window"
    KEY_FORMAT = "key-format"
    KEY_INVALID = "key-invalid"
    NO_MARGIN_ACCOUNT = "no-margin-account"
    MARGIN_TYPE_SAME = "margin-type-same"
    MARGIN_TYPE_OPEN_ORDERS = "margin-type-open-orders"
    MARGIN_TYPE_POSITION = "margin-type-position"
    POSITION_SIDE_OPEN_ORDERS = "position-side-open-orders"
    MULTI_ASSETS_MODE = "multi-assets-mode"
    # Binance documents no code for these: the mock's own, configurable in the scenario ([own_codes]).
    EXCHANGE_COOLDOWN = "exchange-cooldown"
    TOO_MANY_COINS = "too-many-coins"
    LIABILITY_NOT_ELIGIBLE = "liability-not-eligible"
    NO_LIABILITIES = "no-liabilities"


@dataclasses.dataclass(frozen=True, slots=True)
class ErrorSpec:
    status: int
    code: int
    msg: str  # str.format template: {param}, {pattern}, {limit}, {interval}, {until}, {doc}


class MockError(Exception):
    """Raised anywhere on the request path; rendered with the family's table."""

    def __init__(self, err: Err, **fields: object) -> None:
        super().__init__(err.value)
        self.err = err
        self.fields = fields


OWN_CODES: Final[Mapping[Err, int]] = {
    Err.EXCHANGE_COOLDOWN: -3901,
    Err.TOO_MANY_COINS: -3902,
    Err.LIABILITY_NOT_ELIGIBLE: -3903,
    Err.NO_LIABILITIES: -3904,
}
_OWN_MESSAGES: Final[Mapping[Err, str]] = {
    Err.EXCHANGE_COOLDOWN: "{doc}.",
    Err.TOO_MANY_COINS: "{doc}.",
    Err.LIABILITY_NOT_ELIGIBLE: "{doc}: {asset}.",
    Err.NO_LIABILITIES: "No liabilities to liquidate.",
}


@dataclasses.dataclass(frozen=True, slots=True)
class _Answer:
    """How the mock answers one kind: `meaning` is a phrase of the documented meaning that picks the code."""

    status: int
    meaning: str
    msg: str


_COMMON: Final[Mapping[Err, _Answer]] = {
    Err.TOO_MUCH_WEIGHT: _Answer(
        429,
        "too much request weight",
        "Too much request weight used; current limit is {limit} request weight per {interval}. "
        "Please use WebSocket Streams for live updates to avoid polling the API.",
    ),
    Err.IP_BANNED: _Answer(
        418,
        "IP banned until",
        "Way too much request weight used; IP banned until {until}. "
        "Please use WebSocket Streams for live updates to avoid bans.",
    ),
    Err.TIMESTAMP: _Answer(
        400, "outside of the recvWindow", "Timestamp for this request is outside of the recvWindow."
    ),
    Err.TIMESTAMP_AHEAD: _Answer(
        400, "ahead of server time", "Timestamp for this request was 1000ms ahead of the server's time."
    ),
    Err.SIGNATURE: _Answer(400, "signature for this request", "Signature for this request is not valid."),
    Err.ILLEGAL_CHARS: _Answer(
        400,
        "illegal characters",
        "Illegal characters found in parameter '{param}'; legal range is '{pattern}'.",
    ),
    Err.DUPLICATE_PARAM: _Answer(400, "duplicate values", "Duplicate values for a parameter detected."),
    Err.MANDATORY: _Answer(
        400,
        "mandatory parameter",
        "Mandatory parameter '{param}' was not sent, was empty/null, or malformed.",
    ),
    Err.INVALID_SYMBOL: _Answer(400, "invalid symbol", "Invalid symbol."),
    Err.INVALID_DATA: _Answer(
        400, "invalid data sent for a parameter", "Data sent for parameter '{param}' is not valid."
    ),
    Err.KEY_FORMAT: _Answer(401, "API-key format invalid", "API-key format invalid."),
    Err.KEY_INVALID: _Answer(401, "invalid API-key", "Invalid API-key, IP, or permissions for action."),
}

_ANSWERS: Final[Mapping[str, Mapping[Err, _Answer]]] = {
    "sapi": {
        **_COMMON,
        Err.RECV_WINDOW: _Answer(
            400, "recvWindow must be less than", "recvWindow must be less than {limit}."
        ),
        Err.NO_MARGIN_ACCOUNT: _Answer(
            400, "margin account does not exist", "Margin account does not exist."
        ),
    },
    "fapi": {
        **_COMMON,
        # FAPI documents no recvWindow code: an out-of-range recvWindow is invalid data for that parameter.
        Err.RECV_WINDOW: _Answer(
            400, "invalid data sent for a parameter", "Data sent for parameter '{param}' is not valid."
        ),
        Err.MARGIN_TYPE_SAME: _Answer(400, "no need to change margin type", "No need to change margin type."),
        Err.MARGIN_TYPE_OPEN_ORDERS: _Answer(
            400,
            "margin type cannot be changed if there exist open orders",
            "Margin type cannot be changed if there exists open orders.",
        ),
        Err.MARGIN_TYPE_POSITION: _Answer(
            400,
            "margin type cannot be changed if there exists position",
            "Margin type cannot be changed if there exists position.",
        ),
        Err.POSITION_SIDE_OPEN_ORDERS: _Answer(
            400,
            "position side cannot be changed",
            "Position side cannot be changed if there exists open orders.",
        ),
        Err.MULTI_ASSETS_MODE: _Answer(
            400,
            "multi-assets mode",
            "Unable to adjust to isolated-margin mode under the Multi-Assets mode.",
        ),
    },
}


def documented_code(family: str, phrase: str) -> int:
    """The one code the spec documents for `family` with a meaning that contains `phrase` (any case)."""
    folded = phrase.casefold()
    codes = [
        code
        for code in spec_metadata.ERROR_CODES
        if folded in (spec_metadata.error_meaning(family, code) or "").casefold()
    ]
    if len(codes) != 1:
        raise LookupError(f"{family}: {len(codes)} documented codes mean {phrase!r}: {codes}")
    return codes[0]


def check_own_codes(own_codes: Mapping[Err, int]) -> None:
    """The mock's own codes must not be codes Binance documents (they would claim a documented meaning)."""
    taken = {err.value: code for err, code in own_codes.items() if code in spec_metadata.ERROR_CODES}
    if taken:
        raise ValueError(f"own codes that Binance documents (pick others): {taken}")


def build_family_errors() -> dict[str, dict[Err, ErrorSpec]]:
    """The per-family tables: documented codes from the spec, then the mock's own (default) codes."""
    check_own_codes(OWN_CODES)
    own = {err: ErrorSpec(400, code, _OWN_MESSAGES[err]) for err, code in OWN_CODES.items()}
    tables = {
        family: {
            err: ErrorSpec(a.status, documented_code(family, a.meaning), a.msg) for err, a in answers.items()
        }
        for family, answers in _ANSWERS.items()
    }
    tables["sapi"].update(own)
    return tables


def _one(messages: Iterable[str], phrase: str) -> str:
    found = [message for message in messages if phrase in message.casefold()]
    if len(found) != 1:
        raise LookupError(f"{len(found)} FAPI 5xx messages contain {phrase!r}: {found}")
    return found[0]


def build_fapi_503() -> dict[str, tuple[int, str]]:
    """FAPI's three 503 answers: messages from the spec's `server_errors`, codes from its error table.

    "unknown" is the outcome-unknown message; "unavailable" and "internal" the not-executed ones. Which
    code goes with which message is the mock's pairing by meaning (-1008 for "Service Unavailable." is a
    guess: Binance pairs no code with it).
    """
    fapi = spec_metadata.API_FAMILIES["fapi"]
    unknown = _one(fapi.unknown_outcome_messages, "unknown error")
    unavailable = _one(fapi.not_executed_messages, "unavailable")
    internal = _one(fapi.not_executed_messages, "internal error")
    return {
        "unknown": (documented_code("fapi", "unknown error"), unknown),
        "unavailable": (documented_code("fapi", "overloaded"), unavailable),
        "internal": (documented_code("fapi", internal), internal),
    }


FAMILY_ERRORS: Final[Mapping[str, Mapping[Err, ErrorSpec]]] = build_family_errors()

# FAPI's three 503 messages tell "outcome unknown" from "failed" (see the spec's ServiceUnavailable).
FAPI_503: Final[Mapping[str, tuple[int, str]]] = build_fapi_503()


def error_tables(own_codes: Mapping[Err, int]) -> dict[str, dict[Err, ErrorSpec]]:
    """The per-family tables with the scenario's choice of the mock's own codes."""
    check_own_codes(own_codes)
    tables = {family: dict(table) for family, table in FAMILY_ERRORS.items()}
    for err, code in own_codes.items():
        for table in tables.values():
            if err in table:
                table[err] = dataclasses.replace(table[err], code=code)
    return tables
