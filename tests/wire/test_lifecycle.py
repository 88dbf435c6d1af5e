"""A closed client takes no more calls: connections made after `close()` or `aclose()` would never be
closed (an unclosed aiohttp session), so such a call is a `BinanceConfigError` and sends nothing."""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
import warnings

import httpx
import pytest
from binance_margin import (
    BinanceClient,
    BinanceConfigError,
    BinanceTransportError,
    CallRecord,
    HmacCredentials,
)
from binance_margin_api.api.margin import get_small_liability_exchange_coin_list

from tests._raw import Behaviour, RawServer, answer, answering, raw_server, read_request
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


def test_a_call_to_a_closed_client_makes_its_record_on_every_door() -> None:
    records: list[CallRecord] = []
    with raw_server(answering(answer(200, b"[]"))) as server:
        client = BinanceClient(
            HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
            base_url=server.url,
            futures_base_url=server.url,
            on_call=records.append,
        )
        client.close()
        doors = {
            "method": client.coin_list,
            "client.api": lambda: get_small_liability_exchange_coin_list.sync(client=client.api),
            "ensure": lambda: client.ensure_margin_type("BTCUSDT", "ISOLATED"),
            "async method": lambda: asyncio.run(client.acoin_list()),
        }
        for door, call in doors.items():
            with pytest.raises(BinanceConfigError, match="the client is closed"):
                call()
            assert len(records) == 1, door  # every call makes exactly one record, refused ones too
            (record,) = records
            assert (record.outcome, record.error, record.requests) == ("not-sent", "BinanceConfigError", 0)
            assert client.last_call is record
            records.clear()
    assert server.requests == []


def _unanswered_until(released: threading.Event, arrived: threading.Event) -> Behaviour:
    """Read a request, tell the test, and drop the connection unanswered once the test says so."""

    def behave(connection: socket.socket, server: RawServer) -> None:
        if read_request(connection, server) is not None:
            arrived.set()
            released.wait(30)

    return behave


@pytest.mark.parametrize("driver", ["httpcore", "httpx-transport"])
def test_close_from_another_thread_stops_the_calls_retry(driver: str) -> None:
    arrived, released = threading.Event(), threading.Event()
    outcome: list[BaseException | object] = []
    with raw_server(_unanswered_until(released, arrived)) as server:
        transport = httpx.HTTPTransport() if driver == "httpx-transport" else None
        client = BinanceClient(
            HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
            base_url=server.url,
            futures_base_url=server.url,
            transport=transport,
        )

        def call() -> None:
            try:
                outcome.append(client.coin_list())  # a GET: retried after a dropped connection
            except BaseException as error:
                outcome.append(error)

        worker = threading.Thread(target=call)
        worker.start()
        assert arrived.wait(30)
        client.close()
        released.set()
        worker.join(60)
    assert isinstance(outcome[0], BinanceConfigError) and "during the call" in str(outcome[0])
    assert len(server.requests) == 1  # the retry was not sent on a connection nothing would close
    assert client.last_call is not None and client.last_call.outcome == "error"


def test_aclose_from_another_task_stops_ensure_margin_types_resend() -> None:
    arrived, released = threading.Event(), threading.Event()
    with raw_server(_unanswered_until(released, arrived)) as server:

        async def run() -> BaseException | object:
            client = _client(server.url)
            task = asyncio.ensure_future(client.aensure_margin_type("BTCUSDT", "ISOLATED"))
            assert await asyncio.to_thread(arrived.wait, 30)
            await client.aclose()
            released.set()
            try:
                return await task
            except BaseException as error:
                return error

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = asyncio.run(run())
            gc.collect()
    # The first POST may have executed: an unknown outcome, whatever stopped the resend.
    assert isinstance(result, BinanceTransportError) and result.outcome_unknown, result
    # The resend is a new engine call, refused as a call to a closed client.
    assert "the last attempt: the client is closed" in str(result)
    assert len(server.requests) == 1
    assert not [w for w in caught if "Unclosed" in str(w.message)]
