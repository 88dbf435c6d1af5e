"""A closed client takes no more calls: connections made after `close()` or `aclose()` would never be
closed (an unclosed aiohttp session), so such a call is a `BinanceConfigError` and sends nothing."""

from __future__ import annotations

import asyncio
import gc
import warnings

import pytest
from binance_margin import BinanceClient, BinanceConfigError, HmacCredentials

from tests._raw import answer, answering, raw_server
from tests._secrets import WIRE_API_KEY, WIRE_SECRET


def _client(url: str) -> BinanceClient:
    return BinanceClient(HmacCredentials(WIRE_API_KEY, WIRE_SECRET), base_url=url, futures_base_url=url)


def test_a_closed_client_sends_nothing_more_on_either_door() -> None:
    with raw_server(answering(answer(200, b"[]"))) as server:
        with _client(server.url) as client:
            assert client.coin_list() == []
        with pytest.raises(BinanceConfigError, match="the client is closed"):
            client.coin_list()

        async def after_aclose() -> None:
            async with _client(server.url) as async_client:
                assert await async_client.acoin_list() == []
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                with pytest.raises(BinanceConfigError, match="nothing was sent"):
                    await async_client.acoin_list()
                gc.collect()
            assert not [w for w in caught if "Unclosed" in str(w.message)]

        asyncio.run(after_aclose())
        with pytest.raises(BinanceConfigError, match="nothing was sent"):
            asyncio.run(client.acoin_list())  # closed by close(): the async door is shut too
    assert len(server.requests) == 2
