"""The timestamp/recvWindow check: accept when timestamp < serverTime + 1000 and
serverTime - timestamp <= recvWindow, else -1021."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from binance_margin_api.spec_metadata import SIGNING, ApiFamily

from ._errors import Err, MockError

_AHEAD_MS: Final = 1000  # Binance: a timestamp may be at most 1 s ahead of server time
_MICROS_FROM: Final = 10**14  # 16-digit timestamps are microseconds (ms has 13 digits until 2286)


def check_timestamp(params: Mapping[str, str], family: ApiFamily, now_ms: int) -> None:
    recv_name = SIGNING.recv_window_parameter
    raw_window = params.get(recv_name)
    if raw_window is None:
        recv_window = SIGNING.recv_window_default
    else:
        recv_window = _integer(raw_window, recv_name)
        if recv_window > SIGNING.recv_window_maximum or recv_window <= 0:
            raise MockError(Err.RECV_WINDOW, param=recv_name, limit=SIGNING.recv_window_maximum)
    name = SIGNING.timestamp_parameter
    raw = params.get(name)
    if not raw:
        raise MockError(Err.MANDATORY, param=name)
    timestamp = _integer(raw, name)
    scale = 1
    if timestamp >= _MICROS_FROM and "us" in family.timestamp_units:
        scale = 1000  # compare in microseconds, no rounding
    now = now_ms * scale
    if timestamp >= now + _AHEAD_MS * scale:  # the same code, Binance's other message
        raise MockError(Err.TIMESTAMP_AHEAD)
    if now - timestamp > recv_window * scale:
        raise MockError(Err.TIMESTAMP)


def _integer(raw: str, name: str) -> int:
    # At most 19 digits: Binance reads a 64-bit long (and int() refuses strings of over 4300 digits).
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or int(raw) >= 2**63:
        raise MockError(Err.MANDATORY, param=name)
    return int(raw)
