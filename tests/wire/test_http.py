"""The default HTTP (httpcore sync, aiohttp async) and httpx transports on real sockets: signed bytes,
keep-alive, encodings, proxies from the environment, other event loops, and the outcome of each failure."""

from __future__ import annotations

import asyncio
import base64
import gzip
import logging
import re
import socket
import ssl
import zlib
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from binance_margin import (
    BinanceAPIError,
    BinanceClient,
    BinanceConfigError,
    BinanceTransportError,
    CallRecord,
    HmacCredentials,
)
from binance_margin_api.models import LiabilityCoin
from binance_margin_api.spec_metadata import OPERATIONS, RATE_LIMITS

from tests._env import clear_proxies
from tests._loopback import hmac_verifier, loopback_server
from tests._raw import (
    DRIPS,
    Behaviour,
    RawServer,
    answer,
    answering,
    drip,
    ends,
    raw_server,
    read_request,
    refused_url,
)
from tests._secrets import WIRE_API_KEY, WIRE_SECRET
from tests._tls import self_signed


def _client(base_url: str, *, timeout: float = 5.0, **options: object) -> BinanceClient:
    return BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
        base_url=base_url,
        futures_base_url=base_url,
        timeout=timeout,
        **options,  # type: ignore[arg-type]
    )


def test_sync_calls_send_the_signed_bytes_and_keep_one_connection_alive() -> None:
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


async def test_async_calls_send_the_signed_bytes_and_keep_one_connection_alive() -> None:
    with loopback_server(hmac_verifier(WIRE_SECRET)) as server:
        async with _client(server.base_url) as client:
            await client.acoin_list()
            await client.aexchange_small_liability(["DOGE"])
            await client.amanual_liquidation("MARGIN")
            await client.achange_margin_type("ETHUSDT", "ISOLATED")
    assert [seen.signature_valid for seen in server.seen] == [True] * 4
    assert len(server.connections) == 1


def test_requests_carry_exactly_the_engines_headers() -> None:
    with raw_server(answering(answer(200, b"[]"))) as server, _client(server.url) as client:
        client.coin_list()
    head = server.requests[0].split(b"\r\n\r\n")[0].decode()
    names = sorted(line.split(":")[0].lower() for line in head.split("\r\n")[1:])
    assert names == ["accept", "accept-encoding", "host", "user-agent", "x-mbx-apikey"]
    assert f"host: {server.url.removeprefix('http://')}" in head.lower()


def _silent(connection: socket.socket, server: RawServer) -> None:
    read_request(connection, server)
    server.stop.wait(10)  # hold the connection open, answer nothing, until the test is over


def _close_after_reading(connection: socket.socket, server: RawServer) -> None:
    read_request(connection, server)


@pytest.mark.parametrize(
    ("behaviour", "unknown"),
    [(None, False), (_silent, True), (_close_after_reading, True)],
    ids=["refused", "silent-server", "closed-after-reading"],
)
def test_sync_failures_say_whether_the_post_may_have_executed(behaviour: object, unknown: bool) -> None:
    def attempt(url: str) -> BinanceTransportError:
        with _client(url, timeout=0.5) as client, pytest.raises(BinanceTransportError) as raised:
            client.exchange_small_liability(["BTC"])
        return raised.value

    if behaviour is None:
        error = attempt(refused_url())
    else:
        with raw_server(behaviour) as server:  # type: ignore[arg-type]
            error = attempt(server.url)
        assert len(server.requests) == 1  # it did reach the server
    assert error.outcome_unknown is unknown
    assert ("outcome unknown" in str(error)) is unknown


@pytest.mark.parametrize(
    ("behaviour", "unknown"),
    [(None, False), (_silent, True), (_close_after_reading, True)],
    ids=["refused", "silent-server", "closed-after-reading"],
)
async def test_async_failures_say_whether_the_post_may_have_executed(
    behaviour: object, unknown: bool
) -> None:
    async def attempt(url: str) -> BinanceTransportError:
        async with _client(url, timeout=0.5) as client:
            with pytest.raises(BinanceTransportError) as raised:
                await client.amanual_liquidation("MARGIN")
        return raised.value

    if behaviour is None:
        error = await attempt(refused_url())
    else:
        with raw_server(behaviour) as server:  # type: ignore[arg-type]
            error = await attempt(server.url)
    assert error.outcome_unknown is unknown


class _StuckAfter(httpx.AsyncBaseTransport):
    """An httpx transport that traces the phases httpcore would, then never answers."""

    def __init__(self, *events: str) -> None:
        self.events = events

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        trace = request.extensions.get("trace")
        for event in self.events:
            await trace(event, {})
        await asyncio.sleep(60)
        raise AssertionError("the deadline did not cut the call short")


@pytest.mark.parametrize(
    ("events", "unknown"),
    [
        (("connection.connect_tcp.started",), False),  # still connecting: nothing went out
        (("connection.connect_tcp.started", "http11.send_request_headers.started"), True),
        (("http11.send_request_headers.started",), True),  # a pooled connection: the request went out
        ((), True),  # a transport that does not trace may have sent it
    ],
    ids=["connecting", "sending", "pooled", "untraced"],
)
async def test_the_async_httpx_deadline_knows_whether_the_request_went_out(
    events: tuple[str, ...], unknown: bool
) -> None:
    async with _client("http://127.0.0.1:9", timeout=0.2, async_transport=_StuckAfter(*events)) as client:
        with pytest.raises(BinanceTransportError) as raised:
            await client.aexchange_small_liability(["BTC"])
        assert raised.value.outcome_unknown is unknown
        assert (client.next_exchange_allowed_ms() > 0) is unknown  # the guard is kept only if it may have run


_COINS = b'[{"asset":"BTC","interest":"0","principal":"0.1","liabilityAsset":"USDT","liabilityQty":1.50}]'


def _coin_list_through(
    driver: str, url: str, **options: object
) -> tuple[list[LiabilityCoin], CallRecord | None]:
    """A coin-list call through one of the four drivers, and its record."""
    if driver in ("httpcore", "httpx"):
        transport = httpx.HTTPTransport() if driver == "httpx" else None
        with _client(url, transport=transport, **options) as client:
            return client.coin_list(), client.last_call

    async def call() -> tuple[list[LiabilityCoin], CallRecord | None]:
        transport = httpx.AsyncHTTPTransport() if driver == "httpx-async" else None
        async with _client(url, async_transport=transport, **options) as client:
            return await client.acoin_list(), client.last_call

    return asyncio.run(call())


_DRIVERS = ["httpcore", "aiohttp", "httpx", "httpx-async"]


@pytest.mark.parametrize("driver", _DRIVERS)
@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as many servers send it
        ("gzip, identity", gzip.compress),
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw", "gzip-then-identity"],
)
def test_encoded_answers_are_decoded_whichever_way_in(coding: str, encode: object, driver: str) -> None:
    body = encode(_COINS)  # type: ignore[operator]
    raw = answer(200, body, b"Content-Encoding: " + coding.encode())
    with raw_server(answering(raw)) as server:
        coins, _ = _coin_list_through(driver, server.url)
    assert [(coin.asset, coin.liability_qty) for coin in coins] == [("BTC", Decimal("1.50"))]


@pytest.mark.parametrize("driver", _DRIVERS)
@pytest.mark.parametrize("status", [400, 503])
def test_an_error_answer_too_large_to_read_says_so(driver: str, status: int) -> None:
    page = b'{"code":-1102,"msg":"' + b"x" * 4096 + b'"}'
    with raw_server(answering(answer(status, page))) as server, pytest.raises(BinanceAPIError) as raised:
        _coin_list_through(driver, server.url, max_response_bytes=1024)
    assert raised.value.status == status and raised.value.code is None
    assert "the body could not be read" in raised.value.message and "1024" in raised.value.message
    assert "<empty body>" not in str(raised.value)


@pytest.mark.parametrize("driver", _DRIVERS)
def test_a_header_sent_on_several_lines_is_read_alike_by_every_driver(driver: str) -> None:
    # RFC 9110 5.3: the lines of one field are one list. Two Content-Encoding lines mean gzip twice; two
    # used-weight lines are not one count, so the local count stands (the library's first or last line
    # would make the sync and async doors disagree).
    operation = OPERATIONS["getSmallLiabilityExchangeCoinList"]
    used = RATE_LIMITS[operation.rate_limit].used_weight_header.encode()
    raw = answer(
        200,
        gzip.compress(gzip.compress(_COINS)),
        b"Content-Encoding: gzip",
        used + b": 7",
        b"Content-Encoding: gzip",
        used.lower() + b": 9",
    )
    with raw_server(answering(raw)) as server:
        coins, record = _coin_list_through(driver, server.url)
    assert [(coin.asset, coin.liability_qty) for coin in coins] == [("BTC", Decimal("1.50"))]
    assert record is not None
    [usage] = record.buckets
    assert (usage.used, usage.from_server) == (operation.weight, False)


def test_an_async_client_survives_a_new_event_loop() -> None:
    # Each asyncio.run is a new loop: the client opens a new session for it.
    with loopback_server(hmac_verifier(WIRE_SECRET)) as server:
        client = _client(server.base_url)
        asyncio.run(client.acoin_list())
        asyncio.run(client.acoin_list())
        asyncio.run(client.aclose())
    assert [seen.signature_valid for seen in server.seen] == [True, True]
    assert len(server.connections) == 2


def test_trio_calls_go_through_httpx_own_async_transport() -> None:
    trio = pytest.importorskip("trio", reason="trio is in the dev extra; CI installs it")

    async def calls() -> None:
        async with _client(server.base_url) as client:
            await client.acoin_list()
            await client.achange_margin_type("ETHUSDT", "ISOLATED")

    with loopback_server(hmac_verifier(WIRE_SECRET)) as server:
        trio.run(calls)
    assert [seen.signature_valid for seen in server.seen] == [True, True]


def test_given_httpx_transports_carry_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    class Counting(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request.url.path)
            return super().handle_request(request)

    with loopback_server(hmac_verifier(WIRE_SECRET)) as server:
        with _client(server.base_url, transport=Counting()) as client:
            client.coin_list()
            client.change_margin_type("BTCUSDT", "CROSSED")

        async def call() -> None:
            async with _client(server.base_url, async_transport=httpx.AsyncHTTPTransport()) as client:
                await client.amanual_liquidation("MARGIN")

        asyncio.run(call())
    assert seen == ["/sapi/v1/margin/exchange-small-liability", "/fapi/v1/marginType"]
    assert [s.signature_valid for s in server.seen] == [True, True, True]


def test_proxies_from_the_environment_are_honoured_and_calls_still_signed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A proxy is configured, but not for loopback: both drivers connect directly, as NO_PROXY says.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with loopback_server(hmac_verifier(WIRE_SECRET)) as server:
        with _client(server.base_url) as client:
            client.coin_list()
            client.change_margin_type("BTCUSDT", "CROSSED")

        async def call() -> None:
            async with _client(server.base_url) as client:
                await client.acoin_list()

        asyncio.run(call())
    assert [seen.signature_valid for seen in server.seen] == [True, True, True]


def test_a_proxy_that_is_not_excluded_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # The "proxy" answers every request itself: a request that reached it went through the proxy.
    with (
        raw_server(answering(answer(200, b"[]"))) as proxy,
        loopback_server(hmac_verifier(WIRE_SECRET)) as server,
    ):
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with _client(server.base_url) as client:
            assert client.coin_list() == []

        async def call() -> None:
            async with _client(server.base_url) as client:
                assert await client.acoin_list() == []

        asyncio.run(call())
    assert server.seen == []
    targets = [request.split(b" ")[1] for request in proxy.requests]
    assert len(targets) == 2 and all(target.startswith(server.base_url.encode()) for target in targets)


def _through_each_driver(url: str) -> None:
    with _client(url) as client:
        assert client.coin_list() == []

    async def call() -> None:
        async with _client(url) as client:
            assert await client.acoin_list() == []

    asyncio.run(call())
    trio = pytest.importorskip("trio", reason="trio is in the dev extra; CI installs it")
    trio.run(call)


def test_all_proxy_and_the_proxy_password_serve_every_driver(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # ALL_PROXY, with a user and password in it: each driver goes through it and authenticates, and no
    # log line of any library shows the signed URL.
    clear_proxies(monkeypatch)
    caplog.set_level(logging.DEBUG)
    with raw_server(answering(answer(200, b"[]"))) as proxy:
        address = proxy.url.partition("://")[2]
        monkeypatch.setenv("ALL_PROXY", f"http://us%40er:pa%3Ass@{address}")
        _through_each_driver("http://binance.invalid")
    assert len(proxy.requests) == 3
    credentials = b"\r\nProxy-Authorization: Basic " + base64.b64encode(b"us@er:pa:ss") + b"\r\n"
    absolute = [re.match(rb"GET http://binance\.invalid(:80)?/sapi/", request) for request in proxy.requests]
    assert all(absolute), "a request did not go to the proxy in absolute form"
    assert all(credentials in request for request in proxy.requests), "a request lacked the proxy's password"
    assert not [record for record in caplog.records if "signature=" in record.getMessage()]


@pytest.mark.parametrize("proxy", ["socks5://127.0.0.1:1080", "ftp://127.0.0.1:21", "http://[::1"])
def test_an_unusable_proxy_in_the_environment_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, proxy: str
) -> None:
    clear_proxies(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    records: list[CallRecord] = []
    client = _client("https://binance.invalid", on_call=records.append)
    with client:
        for call in (client.coin_list, lambda: client.ensure_margin_type("BTCUSDT", "CROSSED")):
            with pytest.raises(BinanceConfigError, match="proxy of https_proxy in the environment"):
                call()

    async def call() -> None:
        async with _client("https://binance.invalid", on_call=records.append) as client:
            with pytest.raises(BinanceConfigError, match="proxy of https_proxy in the environment"):
                await client.acoin_list()

    asyncio.run(call())
    assert proxy not in repr(client)
    # Each refused call is recorded, with nothing reserved or sent.
    assert [(record.outcome, record.requests, record.buckets) for record in records] == [
        ("not-sent", 0, ())
    ] * 3


def test_timeout_is_a_deadline_through_a_proxy_too(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_proxies(monkeypatch)
    with raw_server(drip(DRIPS["headers"])) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        with _client("http://binance.invalid", timeout=1.0) as client:
            error = ends(lambda: client.change_margin_type("BTCUSDT", "CROSSED"), within=30)
    assert isinstance(error, BinanceTransportError) and error.outcome_unknown


def _refuses_connect(connection: socket.socket, server: RawServer) -> None:
    if read_request(connection, server) is not None:
        connection.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")


def _ignores_connect(connection: socket.socket, server: RawServer) -> None:
    if read_request(connection, server) is not None:
        server.stop.wait(10)  # the CONNECT is never answered


def _drops_connect(connection: socket.socket, server: RawServer) -> None:
    read_request(connection, server)  # read, then the connection is closed: no answer to the CONNECT


def _over_tls(context: ssl.SSLContext, behaviour: Behaviour) -> Behaviour:
    def behave(connection: socket.socket, server: RawServer) -> None:
        behaviour(context.wrap_socket(connection, server_side=True), server)

    return behave


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize(
    "proxy_behaviour",
    [_refuses_connect, _ignores_connect, _drops_connect],
    ids=["refused", "ignored", "dropped"],
)
def test_a_post_a_proxy_never_tunnelled_was_not_sent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, scheme: str, proxy_behaviour: Behaviour
) -> None:
    # An https host through a proxy (spoken to in plain HTTP or over TLS): the request goes out only
    # inside the tunnel. A proxy that refuses, never answers or drops the CONNECT got no request, and the
    # guard is handed back, on every driver alike: the environment's proxy through the sync, asyncio and
    # trio defaults, and a proxy given to httpx transports.
    clear_proxies(monkeypatch)
    certificate, context = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # the proxy's certificate, when it speaks TLS
    behaviour = _over_tls(context, proxy_behaviour) if scheme == "https" else proxy_behaviour
    with raw_server(behaviour) as proxy:
        address = proxy.url.partition("://")[2]
        proxy_url = f"{scheme}://user:proxy-pa55word@{address}"
        seen: list[tuple[str, bool, str, bool]] = []

        def given_proxy() -> httpx.Proxy:
            tls = httpx.create_ssl_context() if scheme == "https" else None  # trusts SSL_CERT_FILE
            return httpx.Proxy(proxy_url, ssl_context=tls)

        def call(**options: object) -> None:
            with _client("https://binance.invalid", timeout=1.0, **options) as client:
                error = ends(lambda: client.exchange_small_liability(["BTC"]), within=30)
                assert isinstance(error, BinanceTransportError), error
                record = client.last_call
                assert record is not None
                guarded = client.next_exchange_allowed_ms() > 0
                seen.append((str(error), error.outcome_unknown, record.outcome, guarded))

        async def acall(**options: object) -> None:
            async with _client("https://binance.invalid", timeout=1.0, **options) as client:
                with pytest.raises(BinanceTransportError) as raised:
                    await client.aexchange_small_liability(["BTC"])
                record = client.last_call
                assert record is not None
                guarded = client.next_exchange_allowed_ms() > 0
                seen.append((str(raised.value), raised.value.outcome_unknown, record.outcome, guarded))

        call(transport=httpx.HTTPTransport(proxy=given_proxy()))
        asyncio.run(acall(async_transport=httpx.AsyncHTTPTransport(proxy=given_proxy())))
        monkeypatch.setenv("HTTPS_PROXY", proxy_url)
        call()
        asyncio.run(acall())
        trio = pytest.importorskip("trio", reason="trio is in the dev extra; CI installs it")
        trio.run(acall)
    assert len(seen) == 5
    assert all(request.startswith(b"CONNECT binance.invalid:443 ") for request in proxy.requests)
    for message, unknown, outcome, guarded in seen:
        assert (unknown, outcome, guarded) == (False, "not-sent", False), message
        assert "proxy-pa55word" not in message
