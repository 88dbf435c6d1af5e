"""The lean transports (the default) on real sockets: signed bytes, keep-alive, safe error mapping."""

from __future__ import annotations

import asyncio
import gc
import gzip
import socket
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from binance_margin import (
    AsyncStreamTransport,
    BinanceClient,
    BinanceTransportError,
    HmacCredentials,
    HttpClientTransport,
)
from binance_margin_api.models import LiabilityCoin

from tests._loopback import hmac_verifier, loopback_server
from tests._secrets import WIRE_API_KEY, WIRE_SECRET


def _client(base_url: str, *, timeout: float = 5.0) -> BinanceClient:
    return BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
        base_url=base_url,
        futures_base_url=base_url,
        timeout=timeout,
        transport=HttpClientTransport(),
        async_transport=AsyncStreamTransport(),
    )


def test_sync_lean_transport_sends_the_signed_bytes_and_keeps_connections_alive() -> None:
    with loopback_server(hmac_verifier(WIRE_SECRET)) as server, _client(server.base_url) as client:
        client.coin_list()
        client.exchange_small_liability(["BTC", "ETH"])
        client.manual_liquidation("ISOLATED", "BTCUSDT")
        client.change_margin_type("币安人生USDT", "CROSSED")
    assert [seen.signature_valid for seen in server.seen] == [True] * 4
    assert server.seen[1].raw_target.startswith(
        "/sapi/v1/margin/exchange-small-liability?assetNames=BTC%2CETH&"
    )
    assert len(server.connections) == 1  # keep-alive: one TCP connection for all four calls


async def test_async_lean_transport_sends_the_signed_bytes() -> None:
    with loopback_server(hmac_verifier(WIRE_SECRET)) as server:
        async with _client(server.base_url) as client:
            await client.acoin_list()
            await client.aexchange_small_liability(["DOGE"])
            await client.amanual_liquidation("MARGIN")
            await client.achange_margin_type("ETHUSDT", "ISOLATED")
    assert [seen.signature_valid for seen in server.seen] == [True] * 4
    assert len(server.connections) == 1


Behaviour = Callable[[socket.socket, threading.Event], None]


@contextmanager
def _raw_server(behave: Behaviour) -> Iterator[str]:
    """A TCP server whose every connection is handed to `behave` (never a proper HTTP answer)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.02)  # poll, so that the server stops as soon as the test is done
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                behave(connection, stop)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def _silent(connection: socket.socket, stop: threading.Event) -> None:
    connection.recv(65536)
    stop.wait(5)  # hold the connection open, answer nothing, until the test is over


def _close_after_reading(connection: socket.socket, stop: threading.Event) -> None:
    connection.recv(65536)


def _refused_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more


@pytest.mark.parametrize(
    ("server", "unknown"),
    [(None, False), (_silent, True), (_close_after_reading, True)],
    ids=["refused", "silent-server", "closed-mid-request"],
)
def test_sync_errors_keep_the_outcome_verdict(server: Behaviour | None, unknown: bool) -> None:
    def attempt(url: str) -> BinanceTransportError:
        with _client(url, timeout=0.3) as client, pytest.raises(BinanceTransportError) as raised:
            client.exchange_small_liability(["BTC"])
        return raised.value

    if server is None:
        error = attempt(_refused_url())
    else:
        with _raw_server(server) as url:
            error = attempt(url)
    assert error.outcome_unknown is unknown
    assert ("outcome unknown" in str(error)) is unknown


@pytest.mark.parametrize(
    ("server", "unknown"),
    [(None, False), (_silent, True), (_close_after_reading, True)],
    ids=["refused", "silent-server", "closed-mid-request"],
)
async def test_async_errors_keep_the_outcome_verdict(server: Behaviour | None, unknown: bool) -> None:
    async def attempt(url: str) -> BinanceTransportError:
        async with _client(url, timeout=0.3) as client:
            with pytest.raises(BinanceTransportError) as raised:
                await client.amanual_liquidation("MARGIN")
        return raised.value

    if server is None:
        error = await attempt(_refused_url())
    else:
        with _raw_server(server) as url:
            error = await attempt(url)
    assert error.outcome_unknown is unknown


_COINS = b'[{"asset":"BTC","interest":"0","principal":"0.1","liabilityAsset":"USDT","liabilityQty":1.5}]'


def _gzip_answers(connection: socket.socket, stop: threading.Event) -> None:
    """Answer every request on the connection with the coin list, gzip-encoded (as Binance may)."""
    body = gzip.compress(_COINS)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
    buffer = b""
    connection.settimeout(0.05)
    while not stop.is_set():
        try:
            data = connection.recv(65536)
        except TimeoutError:
            continue
        if not data:
            return
        buffer += data
        while b"\r\n\r\n" in buffer:
            _, _, buffer = buffer.partition(b"\r\n\r\n")
            connection.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)


def test_gzip_encoded_answers_are_decoded_by_both_lean_transports() -> None:
    with _raw_server(_gzip_answers) as url:
        with _client(url) as client:
            coins = client.coin_list()
            assert [(coin.asset, coin.liability_qty) for coin in coins] == [("BTC", 1.5)]

        async def call() -> list[LiabilityCoin]:
            async with _client(url) as client:
                return await client.acoin_list()

        assert [(coin.asset, coin.liability_qty) for coin in asyncio.run(call())] == [("BTC", 1.5)]
        for transport in (HttpClientTransport(), None):
            request = httpx.Request("GET", url + "/x")
            if transport is not None:
                with transport:
                    response = transport.handle_request(request)
            else:
                response = asyncio.run(_async_once(request))
            assert response.content == _COINS and response.headers["Content-Encoding"] == "gzip"


async def _async_once(request: httpx.Request) -> httpx.Response:
    async with AsyncStreamTransport() as transport:
        return await transport.handle_async_request(request)


def test_an_async_client_survives_a_new_event_loop() -> None:
    # Each asyncio.run is a new loop: the transport drops the old loop's pooled connection.
    with loopback_server(hmac_verifier(WIRE_SECRET)) as server:
        client = _client(server.base_url)
        asyncio.run(client.acoin_list())
        asyncio.run(client.acoin_list())
        asyncio.run(client.aclose())
    # The first loop's connection was shut down when the second loop came; asyncio's object for it
    # (whose loop is gone) is left to the garbage collector, which warns about it: collect it here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    assert [seen.signature_valid for seen in server.seen] == [True, True]
    assert len(server.connections) == 2


def test_the_async_transport_serves_trio_through_httpx_own_transport() -> None:
    trio = pytest.importorskip("trio", reason="trio is in the dev extra; CI installs it")

    async def calls() -> None:
        async with _client(server.base_url) as client:
            await client.acoin_list()
            await client.achange_margin_type("ETHUSDT", "ISOLATED")

    with loopback_server(hmac_verifier(WIRE_SECRET)) as server:
        trio.run(calls)
    assert [seen.signature_valid for seen in server.seen] == [True, True]


def test_proxies_from_the_environment_fall_back_to_httpx_and_still_sign(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A proxy is configured, but not for loopback: httpx's own client connects directly.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with loopback_server(hmac_verifier(WIRE_SECRET)) as server:
        client = BinanceClient(
            HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
            base_url=server.base_url,
            futures_base_url=server.base_url,
        )
        with client:
            assert type(client.api.get_httpx_client()) is httpx.Client
            client.coin_list()
            client.change_margin_type("BTCUSDT", "CROSSED")
    assert [seen.signature_valid for seen in server.seen] == [True, True]
