"""Every answer that is not a documented success raises a typed BinanceMarginError."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from binance_margin import (
    BinanceAPIError,
    BinanceClient,
    BinanceIPBannedError,
    BinanceMarginError,
    BinanceRateLimitError,
    BinanceResponseError,
    BinanceServerError,
    BinanceTransportError,
    HmacCredentials,
)


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> BinanceClient:
    return BinanceClient(HmacCredentials("k", "s"), transport=httpx.MockTransport(handler))


def _answer(
    status: int, body: bytes | dict[str, object], headers: dict[str, str] | None = None
) -> BinanceClient:
    content = json.dumps(body).encode() if isinstance(body, dict) else body
    return _client(lambda request: httpx.Response(status, content=content, headers=headers))


def test_binance_error_carries_status_code_message_and_family() -> None:
    with pytest.raises(BinanceAPIError) as raised:
        _answer(400, {"code": -4046, "msg": "No need to change margin type."}).change_margin_type(
            "BTCUSDT", "CROSSED"
        )
    error = raised.value
    assert (error.status, error.code, error.message, error.family) == (
        400,
        -4046,
        "No need to change margin type.",
        "fapi",
    )
    assert error.meaning is not None and "margin type" in error.meaning
    assert type(error) is BinanceAPIError


def test_same_code_means_something_else_on_sapi() -> None:
    with pytest.raises(BinanceAPIError) as raised:
        _answer(400, {"code": -4046, "msg": "Agreement not confirmed."}).coin_list()
    assert raised.value.family == "sapi"
    assert raised.value.meaning == "Agreement not confirmed."


def test_429_and_418_carry_retry_after() -> None:
    with pytest.raises(BinanceRateLimitError) as limited:
        _answer(429, {"code": -1003, "msg": "Too much request weight used"}, {"Retry-After": "7"}).coin_list()
    assert limited.value.retry_after == 7.0
    with pytest.raises(BinanceIPBannedError) as banned:
        _answer(418, {"code": -1003, "msg": "IP banned until 1"}, {"Retry-After": "120"}).coin_list()
    assert banned.value.retry_after == 120.0


@pytest.mark.parametrize(
    ("message", "unknown"),
    [
        ("Unknown error, please check your request or try again later.", True),
        ("Service Unavailable.", False),
        ("Internal error; unable to process your request. Please try again.", False),
    ],
)
def test_fapi_503_messages_tell_unknown_from_not_executed(message: str, unknown: bool) -> None:
    with pytest.raises(BinanceServerError) as raised:
        _answer(503, {"code": -1001, "msg": message}).change_margin_type("BTCUSDT", "CROSSED")
    assert raised.value.outcome_unknown is unknown
    assert ("outcome unknown" in str(raised.value)) is unknown


def test_sapi_5xx_outcome_is_unknown() -> None:
    with pytest.raises(BinanceServerError) as raised:
        _answer(500, {"code": -1000, "msg": "An unknown error occurred"}).exchange_small_liability(["BTC"])
    assert raised.value.outcome_unknown


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, b"<html>maintenance</html>"),
        (200, b'[{"asset": "ETH"'),
        (200, b""),
        (400, b"<html>bad gateway</html>"),
        (409, b'{"code": -1, "msg": "undocumented"}'),
        (200, b'[{"asset": 1}]'),
        (200, b'{"not": "a list"}'),
        (200, b'[{"asset":null,"interest":"0","principal":"1","liabilityAsset":"USDT","liabilityQty":1}]'),
        # Not a decimal amount (a string "1" is one: the models take it as an exact amount).
        (200, b'[{"asset":"ETH","interest":"0","principal":"1","liabilityAsset":"USDT","liabilityQty":"x"}]'),
        (200, b'[{"asset":"ETH","interest":"NaN","principal":"1","liabilityAsset":"USDT","liabilityQty":1}]'),
    ],
    ids=[
        "200-html",
        "truncated",
        "empty",
        "400-html",
        "409",
        "wrong-shape",
        "object-not-list",
        "null-string",
        "malformed-amount",
        "non-finite-amount",
    ],
)
def test_undocumented_and_unparseable_answers_raise_response_error(status: int, body: bytes) -> None:
    with pytest.raises(BinanceResponseError) as raised:
        _answer(status, body).coin_list()
    assert raised.value.status == status


def test_undocumented_5xx_with_html_is_a_server_error_with_unknown_outcome() -> None:
    with pytest.raises(BinanceServerError) as raised:
        _answer(520, b"<html>origin error</html>").exchange_small_liability(["BTC"])
    assert (raised.value.status, raised.value.code, raised.value.outcome_unknown) == (520, None, True)
    assert "origin error" in raised.value.message


@pytest.mark.parametrize("body", [b"", b"{}", b"null"])
def test_exchange_accepts_every_documented_empty_body(body: bytes) -> None:
    assert _answer(200, body).exchange_small_liability(["BTC"]) is None


def test_manual_liquidation_accepts_an_object_or_an_array() -> None:
    coin = {"asset": "ETH", "interest": "0", "principal": "1", "liabilityAsset": "USDT", "liabilityQty": 1.5}
    one = _answer(200, coin).manual_liquidation("MARGIN")
    many = _client(lambda r: httpx.Response(200, json=[coin, coin])).manual_liquidation("MARGIN")
    assert [c.liability_qty for c in one] == [1.5]
    assert len(many) == 2


def test_connection_refused_is_a_transport_error_not_sent() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(BinanceTransportError) as raised:
        _client(refuse).exchange_small_liability(["BTC"])
    assert raised.value.outcome_unknown is False


def test_read_timeout_on_a_post_leaves_the_outcome_unknown() -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(BinanceTransportError, match="outcome unknown") as raised:
        _client(time_out).manual_liquidation("MARGIN")
    assert raised.value.outcome_unknown is True


def test_nothing_but_binance_errors_escape() -> None:
    assert issubclass(BinanceResponseError, BinanceMarginError)
    assert issubclass(BinanceTransportError, BinanceMarginError)
