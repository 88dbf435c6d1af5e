"""The clock links make the client follow the mock's clock: its timestamps, its waits and its 6-hour guard."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from binance_margin import BinanceClient, BinanceCooldownError, HmacCredentials
from binance_margin_mock.testing import HttpLinkedClock, MockLinkedClock, RunningMock

SIX_HOURS = 6 * 3600


@pytest.fixture(params=["in-process", "http"])
def linked(
    request: pytest.FixtureRequest, binance_mock: RunningMock
) -> Iterator[MockLinkedClock | HttpLinkedClock]:
    if request.param == "in-process":
        yield MockLinkedClock(binance_mock.clock)
        return
    clock = HttpLinkedClock.connect(binance_mock.base_url)
    yield clock
    clock.close()


def _client(mock: RunningMock, clock: MockLinkedClock | HttpLinkedClock) -> BinanceClient:
    key = mock.hmac_key()
    credentials = HmacCredentials(key.api_key, key.secret)
    return BinanceClient(credentials, base_url=mock.base_url, futures_base_url=mock.base_url, clock=clock)


def test_the_clock_reads_the_mocks_time(
    binance_mock: RunningMock, linked: MockLinkedClock | HttpLinkedClock
) -> None:
    binance_mock.control.freeze()
    binance_mock.control.set_time_ms(1_767_225_600_000)
    assert linked.wall_ms() == 1_767_225_600_000.0
    linked.sleep(1.5)
    assert binance_mock.control.now_ms() == 1_767_225_601_500
    assert linked.slept == [1.5]


def test_timestamps_follow_the_mock_when_it_is_hours_ahead(
    binance_mock: RunningMock, linked: MockLinkedClock | HttpLinkedClock
) -> None:
    binance_mock.control.advance(3 * 3600)  # a system clock would now be -1021 outside recvWindow
    with _client(binance_mock, linked) as client:
        assert sorted(coin.asset for coin in client.coin_list()) == ["BTC", "ETH"]
    # Signed right the first time: no -1021, so no resync through the server-time endpoint.
    assert binance_mock.control.request_count("GET /api/v3/time") == 0
    assert binance_mock.control.request_count("getSmallLiabilityExchangeCoinList") == 1


def test_the_six_hour_guard_follows_the_mocks_clock(
    binance_mock: RunningMock, linked: MockLinkedClock | HttpLinkedClock
) -> None:
    with _client(binance_mock, linked) as client:
        client.exchange_small_liability(["BTC"])
        with pytest.raises(BinanceCooldownError):
            client.exchange_small_liability(["ETH"])  # refused by the client: nothing sent
        assert binance_mock.control.request_count("smallLiabilityExchange") == 1
        binance_mock.control.advance(SIX_HOURS)
        client.exchange_small_liability(["ETH"])  # six hours later on the mock's clock: allowed
    assert binance_mock.control.request_count("smallLiabilityExchange") == 2
    assert binance_mock.control.state()["accounts"]["10000001"]["cross"][0]["asset"] == "BNB"


def test_async_waits_advance_the_mock_instead_of_sleeping(
    binance_mock: RunningMock, linked: MockLinkedClock | HttpLinkedClock
) -> None:
    binance_mock.control.freeze()
    before = binance_mock.control.now_ms()
    binance_mock.control.add_fault(
        "rate_limit", operation="getSmallLiabilityExchangeCoinList", count=1, retry_after=90
    )

    async def twice(client: BinanceClient) -> int:
        try:
            await client.acoin_list()
        except Exception as error:  # the 429 itself: the client then blocks the bucket for 90 s
            assert "429" in str(error)
        with client.call_options(max_wait=120):  # longer than the default max_wait, which would refuse
            return len(await client.acoin_list())  # waits the 90 s out on the mock's clock

    with _client(binance_mock, linked) as client:
        assert asyncio.run(twice(client)) == 2
    assert sum(linked.slept) == pytest.approx(90, abs=1)
    assert binance_mock.control.now_ms() - before >= 89_000
