"""One table of hostile and failing answers, run through every way in: BinanceClient sync and async, the
generated functions on `client.api` sync and async, and the CLI. For each case every door must give the
same error type, outcome, record and 6-hour guard state, and that must be what the case means.

The operation is the small liability exchange: a POST under the once-per-6-hours guard, so each case
also shows whether the guard is kept (the exchange may have executed) or handed back (it did not). The
guard and budgets live in a real redis-server, so the CLI's client (gone when `main` returns) can be
judged by the same probe as the others.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import redis
from binance_margin import BinanceClient, BinanceMarginError, CallRecord, HmacCredentials
from binance_margin._cli import main
from binance_margin_api.api.margin import small_liability_exchange

from tests._raw import RawServer, answer, raw_server, read_request, refused_url
from tests._redis import RedisServer, redis_server
from tests._secrets import WIRE_API_KEY, WIRE_SECRET

pytestmark = pytest.mark.redis

TIMEOUT = 0.5
ERROR = b'{"code":%d,"msg":"%s"}'


def _hold(connection: socket.socket, server: RawServer) -> None:
    server.stop.wait(30)  # the request arrived; the answer never comes


# case -> what the server does with each exchange request, in turn (bytes to send, or _hold)
SCRIPTS: dict[str, list[bytes | Callable[[socket.socket, RawServer], None]]] = {
    "ok": [answer(200, b"")],
    "timeout-after-send": [_hold],
    "5xx": [answer(500, ERROR % (-1000, b"An unknown error occurred while processing the request."))],
    "429": [answer(429, ERROR % (-1003, b"Too much request weight used"), b"Retry-After: 30")],
    "418": [
        answer(418, ERROR % (-1003, b"Way too much request weight used; IP banned until 9999999999999."))
    ],
    "4xx": [answer(400, ERROR % (-1102, b"Mandatory parameter was not sent."))],
    "-1021": [
        answer(400, ERROR % (-1021, b"Timestamp for this request is outside of the recvWindow.")),
        answer(200, b""),
    ],
    "200-error-object": [answer(200, ERROR % (-3045, b"The system does not have enough asset now."))],
    "200-unknown-status-code": [
        answer(200, ERROR % (-1007, b"Timeout waiting for response from backend server."))
    ],
    "400-unknown-status-code": [
        answer(400, ERROR % (-1007, b"Timeout waiting for response from backend server."))
    ],
    "garbage": [answer(200, b"<html><body>502 Bad Gateway</body></html>")],
    "gzip-junk": [answer(200, b"\x1f\x8b\x08\x00junk-not-gzip", b"Content-Encoding: gzip")],
    "gzip-bomb": [answer(200, gzip.compress(b"0" * (64 * 1024 * 1024)), b"Content-Encoding: gzip")],
    "deep-json": [answer(200, b"[" * 200_000 + b"]" * 200_000)],
    "storage-down": [],
}


@dataclass(frozen=True)
class Seen:
    """What a door's call did, as the record, the guard and the server tell it."""

    error: str | None
    outcome: str
    status: int | None
    code: int | None
    attempts: int
    requests: int
    guard_kept: bool
    exchanges_received: int


# What each case means (the meaning, written down; the doors are held to it and to each other).
EXPECTED: dict[str, tuple[str | None, str, int | None, int | None, int, bool, int]] = {
    # case: (error, outcome, status, code, requests, guard kept, exchange requests the server got)
    "ok": (None, "ok", 200, None, 1, True, 1),
    "timeout-after-send": ("BinanceTransportError", "unknown", None, None, 1, True, 1),
    "5xx": ("BinanceServerError", "unknown", 500, -1000, 1, True, 1),
    "429": ("BinanceRateLimitError", "error", 429, -1003, 1, False, 1),
    "418": ("BinanceIPBannedError", "error", 418, -1003, 1, False, 1),
    "4xx": ("BinanceAPIError", "error", 400, -1102, 1, False, 1),
    "-1021": (None, "ok", 200, None, 3, True, 2),
    "200-error-object": ("BinanceAPIError", "error", 200, -3045, 1, False, 1),  # Binance refused it
    # Binance says it does not know whether it executed: kept, as for a 5xx.
    "200-unknown-status-code": ("BinanceServerError", "unknown", 200, -1007, 1, True, 1),
    # The code says "execution status unknown" whatever the status: a 4xx carrying it is no refusal.
    "400-unknown-status-code": ("BinanceServerError", "unknown", 400, -1007, 1, True, 1),
    "garbage": ("BinanceResponseError", "unknown", 200, None, 1, True, 1),
    "gzip-junk": ("BinanceResponseError", "unknown", 200, None, 1, True, 1),
    "gzip-bomb": ("BinanceResponseError", "unknown", 200, None, 1, True, 1),
    "deep-json": ("BinanceResponseError", "unknown", 200, None, 1, True, 1),
    "storage-down": ("BinanceStorageError", "not-sent", None, None, 0, False, 0),
}


def _scripted(case: str) -> Callable[[socket.socket, RawServer], None]:
    script = list(SCRIPTS[case])

    def behave(connection: socket.socket, server: RawServer) -> None:
        buffer = bytearray()
        while (request := read_request(connection, server, buffer)) is not None:
            target = request.split(b" ", 2)[1]
            if target.startswith(b"/api/v3/time"):
                connection.sendall(answer(200, b'{"serverTime":%d}' % (time.time_ns() // 1_000_000)))
                continue
            step = script.pop(0)
            if callable(step):
                step(connection, server)
                return
            connection.sendall(step)

    return behave


class _Records(logging.Handler):
    """Every call's record, from its log line (the way in the CLI leaves no object behind)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[CallRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        call = getattr(record, "call_record", None)
        if isinstance(call, CallRecord):
            self.records.append(call)


@pytest.fixture
def records() -> Iterator[_Records]:
    handler = _Records()
    logger = logging.getLogger("binance_margin")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("parity-redis")) as server:
        yield server


def _client(url: str, storage_uri: str) -> BinanceClient:
    return BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
        base_url=url,
        futures_base_url=url,
        storage_uri=storage_uri,
        timeout=TIMEOUT,
    )


def _library(door: str, url: str, storage_uri: str) -> str | None:
    """Make the call through a library door; the name of the exception it raised (None: none)."""
    client = _client(url, storage_uri)

    async def in_async() -> None:
        async with client:
            if door == "client-async":
                await client.aexchange_small_liability(["BTC"])
            else:
                await small_liability_exchange.asyncio_detailed(client=client.api, asset_names=["BTC"])

    try:
        if door == "client-sync":
            with client:
                client.exchange_small_liability(["BTC"])
        elif door == "api-sync":
            with client:
                small_liability_exchange.sync_detailed(client=client.api, asset_names=["BTC"])
        else:
            asyncio.run(in_async())
    except BinanceMarginError as error:
        return type(error).__name__
    return None


def _cli(url: str, storage_uri: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("BINANCE_API_KEY", WIRE_API_KEY)
    monkeypatch.setenv("BINANCE_API_SECRET", WIRE_SECRET)
    arguments = ["--base-url", url, "--futures-base-url", url, "--storage-uri", storage_uri]
    return main([*arguments, "--timeout", str(TIMEOUT), "exchange-small-liability", "BTC"])


DOORS = ("client-sync", "client-async", "api-sync", "api-async", "cli")
CLI_EXIT = {"ok": 0, "unknown": 3}


@pytest.mark.parametrize("case", list(SCRIPTS))
def test_every_door_reports_the_same_outcome(
    case: str,
    storage: RedisServer,
    records: _Records,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    storage_uri = refused_url().replace("http", "redis") + "/0" if case == "storage-down" else storage.uri
    probe = _client(refused_url(), storage.uri)
    seen: dict[str, Seen] = {}
    for door in DOORS:
        redis.Redis.from_url(storage.uri).flushdb()
        records.records.clear()
        with raw_server(_scripted(case)) as server:
            if door == "cli":
                code = _cli(server.url, storage_uri, monkeypatch)
                raised = records.records[-1].error if records.records else "no record"
                outcome = records.records[-1].outcome if records.records else "no record"
                # 0 ok, 3 may have executed, 1 failed and did not execute
                assert code == CLI_EXIT.get(outcome, 1), (door, code, capsys.readouterr())
            else:
                raised = _library(door, server.url, storage_uri)
        assert len(records.records) == 1, (door, records.records)  # exactly one record per call
        record = records.records[0]
        assert record.error == raised, door
        exchanges = [r for r in server.requests if b"/sapi/v1/margin/exchange-small-liability" in r]
        seen[door] = Seen(
            error=record.error,
            outcome=record.outcome,
            status=record.status,
            code=record.code,
            attempts=record.attempt,
            requests=record.requests,
            guard_kept=probe.next_exchange_allowed_ms() > 0,
            exchanges_received=len(exchanges),
        )
    assert len(set(seen.values())) == 1, seen  # the doors agree
    error, outcome, status, code, requests, guard, received = EXPECTED[case]
    only = seen["client-sync"]
    assert (only.error, only.outcome, only.status, only.code, only.requests) == (
        error,
        outcome,
        status,
        code,
        requests,
    )
    assert (only.guard_kept, only.exchanges_received) == (guard, received)
    capsys.readouterr()
