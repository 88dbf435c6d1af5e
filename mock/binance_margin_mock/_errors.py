"""Binance's error answers, keyed by API family: the same code means different things on SAPI and FAPI."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Final


class Err(enum.StrEnum):
    """What went wrong, independent of the code a family uses for it."""

    TOO_MUCH_WEIGHT = "too-much-weight"
    IP_BANNED = "ip-banned"
    TIMESTAMP = "timestamp"
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

_COMMON: Final[Mapping[Err, ErrorSpec]] = {
    Err.TOO_MUCH_WEIGHT: ErrorSpec(
        429,
        -1003,
        "Too much request weight used; current limit is {limit} request weight per {interval}. "
        "Please use WebSocket Streams for live updates to avoid polling the API.",
    ),
    Err.IP_BANNED: ErrorSpec(
        418,
        -1003,
        "Way too much request weight used; IP banned until {until}. "
        "Please use WebSocket Streams for live updates to avoid bans.",
    ),
    Err.TIMESTAMP: ErrorSpec(400, -1021, "Timestamp for this request is outside of the recvWindow."),
    Err.SIGNATURE: ErrorSpec(400, -1022, "Signature for this request is not valid."),
    Err.ILLEGAL_CHARS: ErrorSpec(
        400, -1100, "Illegal characters found in parameter '{param}'; legal range is '{pattern}'."
    ),
    Err.DUPLICATE_PARAM: ErrorSpec(400, -1101, "Duplicate values for a parameter detected."),
    Err.MANDATORY: ErrorSpec(
        400, -1102, "Mandatory parameter '{param}' was not sent, was empty/null, or malformed."
    ),
    Err.INVALID_SYMBOL: ErrorSpec(400, -1121, "Invalid symbol."),
    Err.INVALID_DATA: ErrorSpec(400, -1130, "Data sent for parameter '{param}' is not valid."),
    Err.KEY_FORMAT: ErrorSpec(401, -2014, "API-key format invalid."),
    Err.KEY_INVALID: ErrorSpec(401, -2015, "Invalid API-key, IP, or permissions for action."),
}

FAMILY_ERRORS: Final[Mapping[str, Mapping[Err, ErrorSpec]]] = {
    "sapi": {
        **_COMMON,
        Err.RECV_WINDOW: ErrorSpec(400, -1131, "recvWindow must be less than {limit}."),
        Err.NO_MARGIN_ACCOUNT: ErrorSpec(400, -3003, "Margin account does not exist."),
        **{err: ErrorSpec(400, code, _OWN_MESSAGES[err]) for err, code in OWN_CODES.items()},
    },
    "fapi": {
        **_COMMON,
        # FAPI documents no -1131: an out-of-range recvWindow is invalid data for that parameter.
        Err.RECV_WINDOW: ErrorSpec(400, -1130, "Data sent for parameter '{param}' is not valid."),
        Err.MARGIN_TYPE_SAME: ErrorSpec(400, -4046, "No need to change margin type."),
        Err.MARGIN_TYPE_OPEN_ORDERS: ErrorSpec(
            400, -4047, "Margin type cannot be changed if there exists open orders."
        ),
        Err.MARGIN_TYPE_POSITION: ErrorSpec(
            400, -4048, "Margin type cannot be changed if there exists position."
        ),
        Err.POSITION_SIDE_OPEN_ORDERS: ErrorSpec(
            400, -4067, "Position side cannot be changed if there exists open orders."
        ),
        Err.MULTI_ASSETS_MODE: ErrorSpec(
            400, -4168, "Unable to adjust to isolated-margin mode under the Multi-Assets mode."
        ),
    },
}

# FAPI's three 503 messages tell "outcome unknown" from "failed" (see the spec's ServiceUnavailable).
FAPI_503: Final[Mapping[str, tuple[int, str]]] = {
    "unknown": (-1000, "Unknown error, please check your request or try again later."),
    "unavailable": (-1008, "Service Unavailable."),
    "internal": (-1001, "Internal error; unable to process your request. Please try again."),
}


def error_tables(own_codes: Mapping[Err, int]) -> dict[str, dict[Err, ErrorSpec]]:
    """The per-family tables with the scenario's choice of the mock's own codes."""
    tables = {family: dict(table) for family, table in FAMILY_ERRORS.items()}
    for err, code in own_codes.items():
        for table in tables.values():
            if err in table:
                table[err] = dataclasses.replace(table[err], code=code)
    return tables
