"""What a caller is told is what happened, on real sockets: a connection the server closed is not reused
(no false "unknown"), nothing a header value smuggles reaches the wire, `timeout` bounds the whole answer,
and a hostile body cannot take the process's memory."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
import tracemalloc
from typing import Any

import httpcore
import httpx
import pytest
from binance_margin import (
    BinanceAPIError,
    BinanceClient,
    BinanceConfigError,
    BinanceMarginError,
    BinanceResponseError,
    BinanceTransportError,
    CallRecord,
    HmacCredentials,
    private_key_credentials,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests._raw import DRIPS, RawServer, answer, answering, drip, ends, raw_server, read_request
from tests._secrets import WIRE_API_KEY, WIRE_SECRET

ACK = answer(200, b'{"code":200,"msg":"success"}')
ROUNDS = 20


def _client(url: str, records: list[CallRecord] | None = None, **options: object) -> BinanceClient:
    return BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
        base_url=url,
        futures_base_url=url,
        on_call=records.append if records is not None else None,
        **options,  # type: ignore[arg-type]
    )


# -- stale connections ---------------------------------------------------------------------------------


class _ClosesWhenIdle:
    """Answers one request per connection, keeps it open (keep-alive, no `Connection: close`), and closes
    it when the test says so: the idle keep-alive connection a server drops, as Binance's do."""

    def __init__(self) -> None:
        self.close_now = threading.Event()
        self.closed = threading.Event()

    def __call__(self, connection: socket.socket, server: RawServer) -> None:
        if read_request(connection, server) is None:
            return
        connection.sendall(ACK)
        self.close_now.wait(30)
        connection.close()
        self.closed.set()

    def drop_idle_connection(self) -> None:
        self.closed.clear()
        self.close_now.set()
        assert self.closed.wait(30)
        self.close_now.clear()
        time.sleep(0.2)  # for the close to reach the client's socket (loopback: well within this)


def _judge(records: list[CallRecord], server: RawServer) -> None:
    unknown = [r for r in records if r.outcome != "ok"]
    assert unknown == [], f"{len(unknown)} false outcomes after the server closed idle connections"
    assert len(server.requests) == ROUNDS and server.connections == ROUNDS  # each call: a fresh connection


def test_sync_calls_never_reuse_a_connection_the_server_closed() -> None:
    behaviour = _ClosesWhenIdle()
    records: list[CallRecord] = []
    with raw_server(behaviour) as server, _client(server.url, records) as client:
        for _ in range(ROUNDS):
            client.change_margin_type("BTCUSDT", "CROSSED")  # a POST: never resent, so never hidden
            behaviour.drop_idle_connection()
    _judge(records, server)


async def test_async_calls_never_reuse_a_connection_the_server_closed() -> None:
    behaviour = _ClosesWhenIdle()
    records: list[CallRecord] = []
    with raw_server(behaviour) as server:
        async with _client(server.url, records) as client:
            for _ in range(ROUNDS):
                await client.achange_margin_type("BTCUSDT", "CROSSED")
                await asyncio.to_thread(behaviour.drop_idle_connection)  # the loop runs meanwhile
    _judge(records, server)


class _AnswersTwiceAtFirst:
    """Answers the first request twice (a server or proxy out of step), every later one with a refusal.
    The second answer goes with the first (`apart=False`) or in a write of its own after it, once the
    client holds the first (`apart=True`): either way it is on the connection before the next request."""

    REFUSAL = answer(400, b'{"code":-1102,"msg":"refused"}')

    def __init__(self, *, apart: bool) -> None:
        self.apart = apart
        self.answered = 0
        self.lock = threading.Lock()
        self.second_sent = threading.Event()

    def __call__(self, connection: socket.socket, server: RawServer) -> None:
        buffer = bytearray()
        while read_request(connection, server, buffer) is not None:
            with self.lock:
                self.answered += 1
                first = self.answered == 1
            if not first:
                connection.sendall(self.REFUSAL)
            elif self.apart:
                connection.sendall(ACK)
                time.sleep(0.05)  # a write of its own: the client has put the connection back meanwhile
                connection.sendall(ACK)
            else:
                connection.sendall(ACK + ACK)
            if first:
                self.second_sent.set()


def _wait_for_the_second_answer(behaviour: _AnswersTwiceAtFirst) -> None:
    assert behaviour.second_sent.wait(30)
    time.sleep(0.2)  # for it to reach the client's socket (loopback: well within this)


async def _twice(url: str, records: list[CallRecord], behaviour: _AnswersTwiceAtFirst) -> None:
    async with _client(url, records) as client:
        await client.achange_margin_type("BTCUSDT", "CROSSED")
        await asyncio.to_thread(_wait_for_the_second_answer, behaviour)  # the loop runs meanwhile
        await client.achange_margin_type("BTCUSDT", "CROSSED")


@pytest.mark.parametrize("apart", [False, True], ids=["with-the-first", "apart"])
@pytest.mark.parametrize("driver", ["sync", "async"])
def test_an_answer_sent_before_the_request_is_not_taken_for_its_answer(driver: str, apart: bool) -> None:
    behaviour = _AnswersTwiceAtFirst(apart=apart)
    records: list[CallRecord] = []
    with raw_server(behaviour) as server, pytest.raises(BinanceMarginError) as raised:
        if driver == "sync":
            with _client(server.url, records) as client:
                client.change_margin_type("BTCUSDT", "CROSSED")
                _wait_for_the_second_answer(behaviour)
                client.change_margin_type("BTCUSDT", "CROSSED")
        else:
            asyncio.run(_twice(server.url, records, behaviour))
    # The server refused the second POST: the client either read that refusal (on a new connection) or,
    # having the stale answer in hand, says it cannot tell. It never reports the stale success.
    assert len(records) == len(server.requests) == 2
    assert records[0].outcome == "ok"
    error = raised.value
    if isinstance(error, BinanceTransportError):
        assert error.outcome_unknown and records[1].outcome == "unknown"
    else:
        assert isinstance(error, BinanceAPIError) and error.code == -1102, error
        assert records[1].outcome == "error"


class _AnswersEachConnectionsFirstRequestTwice:
    """On every connection, the first request gets a second answer 50 ms after the first; later requests
    get one answer each."""

    def __init__(self) -> None:
        self.second_answers = threading.Semaphore(0)

    def __call__(self, connection: socket.socket, server: RawServer) -> None:
        buffer = bytearray()
        first = True
        while read_request(connection, server, buffer) is not None:
            connection.sendall(ACK)
            if first:
                time.sleep(0.05)
                connection.sendall(ACK)
                self.second_answers.release()
                first = False


async def test_every_pooled_connection_that_received_bytes_while_idle_is_passed_over() -> None:
    behaviour = _AnswersEachConnectionsFirstRequestTwice()
    records: list[CallRecord] = []
    with raw_server(behaviour) as server:
        async with _client(server.url, records) as client:
            # Six calls at once open six connections, each of which then receives a second answer.
            calls = 6
            await asyncio.gather(*(client.achange_margin_type("BTCUSDT", "CROSSED") for _ in range(calls)))
            opened = server.connections
            for _ in range(opened):
                assert await asyncio.to_thread(behaviour.second_answers.acquire, True, 30)
            await asyncio.sleep(0.2)  # for the last to reach the client's socket (loopback: well within)
            await client.achange_margin_type("BTCUSDT", "CROSSED")
    assert opened == calls  # more stale connections than the few fresh tries: each pooled one is dropped
    assert server.connections == opened + 1  # the last call went out on a fresh connection
    assert [record.outcome for record in records] == ["ok"] * (calls + 1)


# -- failed writes -------------------------------------------------------------------------------------


class _WriteFails(httpcore.NetworkStream):
    """A connected stream whose writes fail as a reset connection's do: nothing of the request leaves."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        raise httpcore.WriteError("[Errno 104] Connection reset by peer")

    def close(self) -> None:
        self._stream.close()

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


def _hang_up(connection: socket.socket, server: RawServer) -> None:
    pass  # the connection closes without a byte read or written


def test_a_post_whose_write_failed_was_not_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpcore swallows a failed write to read an early answer; when none comes it raises a read error.
    # The request never left whole, so it cannot have executed: "not sent", and the guard handed back.
    connect = httpcore.SyncBackend.connect_tcp
    monkeypatch.setattr(
        httpcore.SyncBackend, "connect_tcp", lambda *args, **kwargs: _WriteFails(connect(*args, **kwargs))
    )
    records: list[CallRecord] = []
    with raw_server(_hang_up) as server, _client(server.url, records) as client:
        with pytest.raises(BinanceTransportError) as raised:
            client.exchange_small_liability(["BTC"])
        assert not raised.value.outcome_unknown
        assert (records[-1].outcome, client.next_exchange_allowed_ms()) == ("not-sent", 0)
    assert server.requests == []


# -- interim answers ---------------------------------------------------------------------------------


def _switches_protocols(connection: socket.socket, server: RawServer) -> None:
    # A 101 nobody asked for, then the connection ends: the POST's real answer never comes.
    if read_request(connection, server) is not None:
        connection.sendall(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")
    connection.close()


async def _exchange_and_close(client: BinanceClient) -> None:
    try:
        await client.aexchange_small_liability(["BTC"])
    finally:
        await client.aclose()


@pytest.mark.parametrize("driver", ["sync", "async"])
def test_an_interim_answer_taken_for_the_final_one_leaves_the_outcome_unknown(driver: str) -> None:
    records: list[CallRecord] = []
    with raw_server(_switches_protocols) as server, _client(server.url, records) as client:
        with pytest.raises(BinanceMarginError) as raised:
            if driver == "sync":
                client.exchange_small_liability(["BTC"])
            else:
                asyncio.run(_exchange_and_close(client))
        assert len(server.requests) == 1
        assert getattr(raised.value, "outcome_unknown", None) is True
        assert [record.outcome for record in records] == ["unknown"]
        assert client.next_exchange_allowed_ms() > 0  # the guard is kept: the POST may have executed


# -- header injection ----------------------------------------------------------------------------------

SMUGGLED = [
    WIRE_API_KEY + "\r\nX-Forwarded-For: 203.0.113.7",
    WIRE_API_KEY + "\nX-Forwarded-For: 203.0.113.7",
    WIRE_API_KEY + "\r\n\r\nGET /sapi/v1/margin/exchange-small-liability HTTP/1.1\r\nHost: x\r\n\r\n",
    WIRE_API_KEY + "\x00",
    # Not smuggling, but refused before anything is sent all the same: h11 would refuse these with the
    # key in its message, or they cannot be encoded (which would leave a POST's outcome looking unknown).
    WIRE_API_KEY + " ",
    WIRE_API_KEY + "\tx",
    WIRE_API_KEY + "\x7f",
    WIRE_API_KEY + "\u043a",
]


def _pem() -> bytes:
    key = ed25519.Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


class _Forged:
    """Credentials of the caller's own making (the Credentials protocol), with a forged key."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key

    def sign(self, payload: bytes) -> str:
        return "0" * 64


@pytest.mark.parametrize(
    "api_key",
    SMUGGLED,
    ids=["crlf-header", "lf-header", "second-request", "nul", "trailing-space", "tab", "del", "non-ascii"],
)
def test_a_header_value_cannot_smuggle_anything_onto_the_wire(
    api_key: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from binance_margin._cli import main

    with raw_server(answering(ACK)) as server:
        for make in (
            lambda: HmacCredentials(api_key, WIRE_SECRET),
            lambda: private_key_credentials(api_key, _pem()),
            lambda: BinanceClient(_Forged(api_key), base_url=server.url, futures_base_url=server.url),
        ):
            with pytest.raises(BinanceConfigError, match="printable ASCII") as refused:
                make()
            assert WIRE_API_KEY not in str(refused.value)
        environ = {"BINANCE_API_KEY": api_key, "BINANCE_API_SECRET": WIRE_SECRET}
        with pytest.raises(BinanceConfigError):
            BinanceClient.from_env(environ, base_url=server.url, futures_base_url=server.url)
        if "\x00" not in api_key:  # a process environment cannot hold a NUL at all
            monkeypatch.setenv("BINANCE_API_KEY", api_key)
            monkeypatch.setenv("BINANCE_API_SECRET", WIRE_SECRET)
            assert main(["--base-url", server.url, "--futures-base-url", server.url, "coin-list"]) == 2
            err = capsys.readouterr().err
            assert "printable ASCII" in err and WIRE_API_KEY not in err
    assert server.requests == [] and server.connections == 0  # nothing at all reached the wire


def test_what_goes_out_is_one_request_with_the_key_as_given() -> None:
    # The control: a clean key arrives as exactly one request, with its one header.
    with raw_server(answering(ACK)) as server, _client(server.url) as client:
        client.change_margin_type("BTCUSDT", "CROSSED")
    (request,) = server.requests
    assert request.count(b"HTTP/1.1\r\n") == 1 and request.count(b"X-MBX-APIKEY:") == 1
    assert b"X-Forwarded-For" not in request


# -- deadlines -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", sorted(DRIPS))
def test_timeout_is_a_deadline_for_the_whole_answer(where: str) -> None:
    # Each drip byte arrives well within `timeout`: only a deadline for the whole answer can end the call.
    # Async: aiohttp (asyncio's default) and httpx's own async transport (trio's, or one a caller gives).
    with raw_server(drip(DRIPS[where])) as server:
        with _client(server.url, timeout=1.0) as client:
            error = ends(lambda: client.change_margin_type("BTCUSDT", "CROSSED"), within=30)

        async def call(transport: httpx.AsyncBaseTransport | None) -> None:
            async with _client(server.url, timeout=1.0, async_transport=transport) as client:
                await client.achange_margin_type("BTCUSDT", "CROSSED")

        async_errors = [
            ends(lambda: asyncio.run(call(None)), within=30),
            ends(lambda: asyncio.run(call(httpx.AsyncHTTPTransport())), within=30),
        ]
    for raised in (error, *async_errors):
        assert isinstance(raised, BinanceTransportError | BinanceResponseError), raised
        assert raised.outcome_unknown  # it was sent: the POST may have executed


# -- memory ----------------------------------------------------------------------------------------------

BOMB = gzip.compress(b"\x00" * (512 * 1024 * 1024), compresslevel=9)  # ~0.5 MB that inflates to 512 MB


@pytest.mark.parametrize("encoding", [b"gzip", b"gzip, gzip"])
def test_a_decompression_bomb_is_refused_within_the_cap(encoding: bytes) -> None:
    body = BOMB if encoding == b"gzip" else gzip.compress(BOMB)
    raw = answer(200, body, b"Content-Encoding: " + encoding)
    cap = 1024 * 1024
    with raw_server(answering(raw)) as server, _client(server.url, max_response_bytes=cap) as client:
        tracemalloc.start()
        try:
            with pytest.raises(BinanceResponseError, match="more than"):
                client.coin_list()

            async def call() -> None:
                async with _client(server.url, max_response_bytes=cap) as aclient:
                    await aclient.acoin_list()

            with pytest.raises(BinanceResponseError, match="more than"):
                asyncio.run(call())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 12 * cap, f"peak {peak / 1e6:.1f} MB for a {cap / 1e6:.1f} MB cap"


def test_an_endless_body_is_cut_at_the_cap() -> None:
    def endless(connection: socket.socket, server: RawServer) -> None:
        read_request(connection, server)
        connection.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
        while not server.stop.is_set():
            connection.sendall(chunk)

    with raw_server(endless) as server, _client(server.url, max_response_bytes=256 * 1024) as client:
        error = ends(client.coin_list, within=30)
    assert isinstance(error, BinanceResponseError) and "larger than" in str(error)


def test_every_failure_here_is_ours() -> None:
    # The tests above catch the library's own errors; their common base is the one callers catch.
    for kind in (BinanceTransportError, BinanceResponseError, BinanceConfigError):
        assert issubclass(kind, BinanceMarginError)
