"""timestamp < serverTime + 1000 and serverTime - timestamp <= recvWindow, else -1021; per family."""

from __future__ import annotations

import pytest
from binance_margin_api.spec_metadata import SIGNING

from .conftest import HMAC, Signed
from .test_signing import COINS, MARGIN_TYPE, code

FUTURES = [("symbol", "BTCUSDT"), ("marginType", "ISOLATED")]


@pytest.mark.parametrize(
    ("offset_ms", "recv_window", "accepted"),
    [
        (0, None, True),
        (999, None, True),  # ahead, but less than 1000 ms
        (1000, None, False),
        (-SIGNING.recv_window_default, None, True),  # exactly recvWindow old
        (-SIGNING.recv_window_default - 1, None, False),
        (-20_000, 20_000, True),
        (-20_001, 20_000, False),
    ],
)
async def test_timestamp_window(
    signed: Signed, offset_ms: int, recv_window: int | None, accepted: bool
) -> None:
    response = await signed.send(
        "GET", COINS, timestamp=signed.clock.now_ms() + offset_ms, recv_window=recv_window
    )
    if accepted:
        assert response.status_code == 200, response.text
    else:
        assert (response.status_code, code(response)) == (400, -1021)
        # Binance's two texts for the one code: too far ahead, or older than recvWindow.
        expected = "ahead of the server's time" if offset_ms > 0 else "outside of the recvWindow"
        assert expected in response.json()["msg"]


async def test_sapi_accepts_microseconds(signed: Signed) -> None:
    now_us = signed.clock.now_ms() * 1000
    assert (await signed.send("GET", COINS, timestamp=now_us - 4_999_999)).status_code == 200
    late = await signed.send("GET", COINS, timestamp=now_us - 5_000_001)
    assert code(late) == -1021


async def test_fapi_takes_milliseconds_only(signed: Signed) -> None:
    response = await signed.send("POST", MARGIN_TYPE, FUTURES, timestamp=signed.clock.now_ms() * 1000)
    assert (response.status_code, code(response)) == (400, -1021)


async def test_recv_window_above_the_maximum_differs_per_family(signed: Signed) -> None:
    too_big = SIGNING.recv_window_maximum + 1
    sapi = await signed.send("GET", COINS, recv_window=too_big)
    fapi = await signed.send("POST", MARGIN_TYPE, FUTURES, recv_window=too_big)
    assert (sapi.status_code, code(sapi)) == (400, -1131)
    assert (fapi.status_code, code(fapi)) == (400, -1130)
    assert (await signed.send("GET", COINS, recv_window=SIGNING.recv_window_maximum)).status_code == 200


async def test_malformed_timestamp_is_minus_1102(signed: Signed) -> None:
    response = await signed.send("GET", COINS, timestamp=-5)
    assert (response.status_code, code(response)) == (400, -1102)


@pytest.mark.parametrize("name", ["timestamp", "recvWindow"])
@pytest.mark.parametrize("digits", ["9" * 19, "1" * 5000], ids=["past-a-64-bit-long", "5000-digits"])
async def test_a_number_no_64_bit_long_holds_is_minus_1102(signed: Signed, name: str, digits: str) -> None:
    fields = {"recvWindow": "5000", "timestamp": str(signed.clock.now_ms()), name: digits}
    payload = "&".join(f"{key}={value}" for key, value in fields.items())
    response = await signed.raw("GET", COINS, f"{payload}&signature={HMAC.sign(payload.encode())}")
    assert (response.status_code, code(response)) == (400, -1102)
    assert f"'{name}'" in response.json()["msg"]


async def test_server_time_follows_the_clock(signed: Signed) -> None:
    before = (await signed.client.get("/api/v3/time")).json()["serverTime"]
    signed.clock.advance(3600)
    after = (await signed.client.get("/fapi/v1/time")).json()["serverTime"]
    assert after - before == 3_600_000
