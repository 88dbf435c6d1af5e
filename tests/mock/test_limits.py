"""Weight per bucket from the spec metadata, the used-weight headers, 429 with Retry-After, 418 bans."""

from __future__ import annotations

import dataclasses

import httpx
from binance_margin_api.spec_metadata import API_FAMILIES, IP_BANS, OPERATIONS, RATE_LIMITS
from binance_margin_mock import MockClock, create_app, load_scenario
from binance_margin_mock._limits import BanBook

from .conftest import CREDENTIALS, Signed
from .test_signing import COINS, LIQUIDATION, MARGIN_TYPE, code

COIN_LIST = OPERATIONS["getSmallLiabilityExchangeCoinList"]
LIQUIDATE = OPERATIONS["marginManualLiquidation"]
CHANGE = OPERATIONS["changeMarginType"]


def header(rate_limit: str) -> str:
    return RATE_LIMITS[rate_limit].used_weight_header


async def test_used_weight_headers_per_bucket(signed: Signed) -> None:
    first = await signed.send("GET", COINS)
    second = await signed.send("GET", COINS)
    assert first.headers[header(COIN_LIST.rate_limit)] == str(COIN_LIST.weight)
    assert second.headers[header(COIN_LIST.rate_limit)] == str(2 * COIN_LIST.weight)
    uid = await signed.send("POST", LIQUIDATION, [("type", "MARGIN")])
    assert uid.headers[header(LIQUIDATE.rate_limit)] == str(LIQUIDATE.weight)
    assert header(COIN_LIST.rate_limit) not in uid.headers  # its own bucket, its own header


async def test_fapi_ip_bucket_is_shared_with_its_time_endpoint(signed: Signed) -> None:
    time = API_FAMILIES["fapi"].server_time
    await signed.client.get(time.path)
    response = await signed.send("POST", MARGIN_TYPE, [("symbol", "BTCUSDT"), ("marginType", "ISOLATED")])
    assert response.headers[header(CHANGE.rate_limit)] == str(time.weight + CHANGE.weight)
    spot_time = await signed.client.get(API_FAMILIES["sapi"].server_time.path)
    assert spot_time.headers[header(API_FAMILIES["sapi"].server_time.rate_limit)] == "1"  # api-ip: apart


async def test_429_with_retry_after_then_the_window_resets(signed: Signed) -> None:
    allowed = RATE_LIMITS[COIN_LIST.rate_limit].limit // COIN_LIST.weight
    for _ in range(allowed):
        assert (await signed.send("GET", COINS)).status_code == 200
    over = await signed.send("GET", COINS)
    assert (over.status_code, code(over)) == (429, -1003)
    window_left_s = 60 - (signed.clock.now_ms() // 1000) % 60
    assert int(over.headers["Retry-After"]) == window_left_s
    assert int(over.headers[header(COIN_LIST.rate_limit)]) > RATE_LIMITS[COIN_LIST.rate_limit].limit
    # Another endpoint of the same family has its own bucket.
    assert (await signed.send("POST", LIQUIDATION, [("type", "MARGIN")])).status_code == 200
    signed.clock.advance(int(over.headers["Retry-After"]))
    assert (await signed.send("GET", COINS)).status_code == 200


async def test_uid_buckets_are_per_account(signed: Signed) -> None:
    allowed = RATE_LIMITS[LIQUIDATE.rate_limit].limit // LIQUIDATE.weight
    for _ in range(allowed):
        await signed.send("POST", LIQUIDATION, [("type", "MARGIN")])
    over = await signed.send("POST", LIQUIDATION, [("type", "MARGIN")])
    other = await signed.send("POST", LIQUIDATION, [("type", "MARGIN")], credentials=CREDENTIALS["HMAC2"])
    assert (over.status_code, code(over)) == (429, -1003)
    assert other.status_code == 200, other.text
    assert other.headers[header(LIQUIDATE.rate_limit)] == str(LIQUIDATE.weight)


async def test_repeat_offenders_get_418_until_the_ban_ends() -> None:
    clock = MockClock(start_ms=1_767_225_600_000, frozen=True)
    scenario = dataclasses.replace(load_scenario(), ban_after_violations=2, ban_seconds=120)
    app = create_app(scenario, clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as http:
        signed = Signed(http, clock)
        allowed = RATE_LIMITS[COIN_LIST.rate_limit].limit // COIN_LIST.weight
        statuses = [(await signed.send("GET", COINS)).status_code for _ in range(allowed + 2)]
        banned = await signed.send("GET", COINS)
        clock.advance(60)  # a fresh weight window does not lift a ban
        still = await signed.send("GET", COINS)
        clock.advance(60)
        free = await signed.send("GET", COINS)
    assert statuses[-3:] == [200, 429, 429]
    assert (banned.status_code, code(banned)) == (418, -1003)
    assert f"IP banned until {1_767_225_600_000 + 120_000}" in banned.json()["msg"]
    assert banned.headers["Retry-After"] == "120"
    assert still.status_code == 418
    assert free.status_code == 200


async def test_window_seconds_shortens_every_window() -> None:
    clock = MockClock(start_ms=1_767_225_600_000, frozen=True)
    app = create_app(dataclasses.replace(load_scenario(), window_seconds=5), clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as http:
        first = await http.get("/api/v3/time")
        second = await http.get("/api/v3/time")
        clock.advance(5)
        third = await http.get("/api/v3/time")
    used = header(API_FAMILIES["sapi"].server_time.rate_limit)
    assert [first.headers[used], second.headers[used], third.headers[used]] == ["1", "2", "1"]


def test_each_ban_doubles_the_last_up_to_binances_longest() -> None:
    book = BanBook(after=1, ban_seconds=IP_BANS.shortest_seconds)
    now = 1_767_225_600_000
    lengths = []
    for _ in range(15):
        until = book.strike("ip", now)
        assert until is not None and book.banned_until("ip", now) == until
        lengths.append((until - now) // 1000)
        now = until  # the next strike comes once the ban is over
    doubling = [min(IP_BANS.shortest_seconds * 2**n, IP_BANS.longest_seconds) for n in range(15)]
    assert lengths == doubling and lengths[-1] == IP_BANS.longest_seconds
