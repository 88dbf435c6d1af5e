"""Reading answers: Retry-After in every form, Content-Encoding within the cap, JSON exactly, and what a
429 / 418 asking for too long a wait does (refused at once, never slept through)."""

from __future__ import annotations

import email.utils
import gzip
import sys
import zlib
from decimal import Decimal

import httpx
import pytest
from binance_margin import (
    DEFAULT_MAX_WAIT,
    BinanceAPIError,
    BinanceClient,
    BinanceRateLimitError,
    BinanceWaitRefused,
    HmacCredentials,
)
from binance_margin._responses import (
    MAX_RETRY_AFTER_SECONDS,
    body_or_problem,
    parse_json,
    retry_after_seconds,
)
from binance_margin._wire import Answer
from binance_margin_api.api.margin import margin_manual_liquidation
from binance_margin_api.models import MarginAccountType

from tests._fake_clock import START_MS, FakeClock


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30", 30.0),
        (" 7 ", 7.0),
        ("2.5", 2.5),
        ("0", 0.0),
        (str(int(MAX_RETRY_AFTER_SECONDS)), MAX_RETRY_AFTER_SECONDS),
        (str(int(MAX_RETRY_AFTER_SECONDS) + 1), None),
        ("inf", None),
        ("Infinity", None),
        ("nan", None),
        ("1e999", None),
        ("-5", None),
        ("", None),
        ("soon", None),
        ("Wed, 21 Oct 2037 07:28:00", None),  # a date without its zone
        (None, None),
    ],
)
def test_retry_after_forms(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, START_MS) == seconds


def test_retry_after_as_an_http_date() -> None:
    later = email.utils.formatdate(START_MS / 1000 + 90, usegmt=True)
    earlier = email.utils.formatdate(START_MS / 1000 - 90, usegmt=True)
    assert retry_after_seconds(later, START_MS) == pytest.approx(90, abs=1)
    assert retry_after_seconds(earlier, START_MS) == 0.0


@pytest.mark.parametrize("retry_after", ["86400", "inf", "junk"])
def test_a_long_or_junk_retry_after_is_never_slept_through(retry_after: str) -> None:
    answers = iter(
        [httpx.Response(429, json={"code": -1003, "msg": "Too much"}, headers={"Retry-After": retry_after})]
    )
    clock = FakeClock()
    client = BinanceClient(
        HmacCredentials("k", "s"),
        transport=httpx.MockTransport(lambda request: next(answers)),
        clock=clock,
    )
    with pytest.raises(BinanceRateLimitError) as limited:
        client.coin_list()
    expected = 86400.0 if retry_after == "86400" else None
    assert limited.value.retry_after == expected
    if expected is None:  # junk: the bucket is blocked for the rest of its window, which is waited out
        assert client.coin_list is not None
        return
    with pytest.raises(BinanceWaitRefused) as refused:
        client.coin_list()  # no request: the bucket is blocked for a day, more than max_wait
    assert (
        refused.value.retry_after == pytest.approx(86400, abs=2)
        and refused.value.retry_after > DEFAULT_MAX_WAIT
    )
    assert clock.slept == []


def _answer(body: bytes, encoding: str | None = None) -> Answer:
    return Answer(200, {"content-encoding": encoding} if encoding else {}, body)


def test_encodings_are_undone_in_any_order_and_junk_is_a_body_problem() -> None:
    data = b'[{"x": 1}]'
    assert body_or_problem(_answer(gzip.compress(data), "gzip"), 100) == (data, None)
    assert body_or_problem(_answer(gzip.compress(zlib.compress(data)), "deflate, gzip"), 100) == (data, None)
    assert body_or_problem(_answer(data, "identity"), 100) == (data, None)
    for body, encoding, reason in (
        (b"\x1f\x8bjunk", "gzip", "does not decode"),
        (gzip.compress(data)[:-8], "gzip", "cut short"),
        (data, "br", "unsupported"),
        (gzip.compress(b"0" * 1000), "gzip", "more than 100 bytes"),
    ):
        decoded, problem = body_or_problem(_answer(body, encoding), 100)
        assert decoded is None and problem is not None and reason in problem


def test_json_numbers_keep_their_exact_digits_and_hostile_json_is_an_error() -> None:
    assert parse_json(b'{"q": 0.35520000000000000001, "n": 4.7100}') == {
        "q": Decimal("0.35520000000000000001"),
        "n": Decimal("4.7100"),
    }
    for hostile in (b"[" * 100_000 + b"]" * 100_000, b"\xff[]", b'{"a":', b"NaN"[:2]):
        with pytest.raises((ValueError, RecursionError)):
            parse_json(hostile)


def test_generated_functions_get_the_decoded_answer_whatever_its_headers() -> None:
    body = b'[{"asset":"BTC","interest":"0","principal":"1.5","liabilityAsset":"USDT","liabilityQty":"3"}]'

    def gzipped(request: httpx.Request) -> httpx.Response:
        headers = [(b"Content-Encoding", b"gzip"), (b"X-Edge", "café".encode())]
        return httpx.Response(200, headers=headers, content=gzip.compress(body))

    client = BinanceClient(HmacCredentials("k", "s"), transport=httpx.MockTransport(gzipped))
    response = margin_manual_liquidation.sync_detailed(client=client.api, type_=MarginAccountType.MARGIN)
    assert response.content == body
    assert response.headers["x-edge"] == "café"
    assert isinstance(response.parsed, list) and response.parsed[0].principal == Decimal("1.5")


@pytest.mark.parametrize(
    ("body", "expected_code"),
    [
        (b'{"code":-4046,"msg":"No need to change margin type."}', -4046),
        (b'{"code":-4067,"msg":"Position side cannot be changed if there exists open orders."}', -4067),
        (b'{"code":-4047,"msg":"Margin type cannot be changed if there exists open orders."}', None),
        (b'{"code":200,"msg":"success"}', 200),
    ],
    ids=["already-set", "already-set-4067", "refused", "changed"],
)
def test_a_2xx_with_binances_error_object_is_binances_answer(body: bytes, expected_code: int | None) -> None:
    client = BinanceClient(
        HmacCredentials("k", "s"),
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)),
    )
    changed = expected_code == 200
    if expected_code is None:  # a refusal with status 200 is still the refusal, never "changed"
        with pytest.raises(BinanceAPIError) as raised:
            client.ensure_margin_type("BTCUSDT", "ISOLATED")
        assert (raised.value.status, raised.value.code, raised.value.family) == (200, -4047, "fapi")
        with pytest.raises(BinanceAPIError):
            client.change_margin_type("BTCUSDT", "ISOLATED")
    else:
        result = client.ensure_margin_type("BTCUSDT", "ISOLATED")
        assert (result.changed, result.code) == (changed, expected_code)
    assert client.last_call is not None and client.last_call.outcome == ("ok" if changed else "error")


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_a_cap_as_large_as_sys_maxsize_still_decodes(coding: str) -> None:
    # `max_response_bytes=sys.maxsize` is how a caller says "no cap": zlib's C size must not overflow.
    body = gzip.compress(b"[]") if coding == "gzip" else zlib.compress(b"[]")
    assert body_or_problem(Answer(200, {"content-encoding": coding}, body), sys.maxsize) == (b"[]", None)
