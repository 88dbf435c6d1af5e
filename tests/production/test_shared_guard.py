"""The 6-hour guard and the budgets against a real redis-server that fails, and under a real race.

- Redis is killed while an exchange POST is in flight, and the server executes it: the call still returns
  its answer (no BinanceStorageError claiming nothing was sent), its record says the storage failed, and
  this process stays guarded.
- 8 processes behind a barrier make the same account's exchange at once: exactly one reaches the mock.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from binance_margin import (
    BinanceClient,
    BinanceCooldownError,
    BinanceStorageError,
    CallRecord,
    HmacCredentials,
)
from binance_margin_mock.testing import running_mock

from tests._raw import RawServer, answer, raw_server, read_request
from tests._redis import redis_server
from tests._secrets import WIRE_API_KEY, WIRE_SECRET

pytestmark = pytest.mark.redis

EXCHANGE_PATH = b"/sapi/v1/margin/exchange-small-liability"


class _HeldExchange:
    """Answers 200 (executed) to an exchange, but only once the test lets it: the POST is in flight."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.go = threading.Event()

    def __call__(self, connection: socket.socket, server: RawServer) -> None:
        buffer = bytearray()
        while (request := read_request(connection, server, buffer)) is not None:
            if EXCHANGE_PATH in request.split(b"\r\n")[0]:
                self.arrived.set()
                self.go.wait(30)
            connection.sendall(answer(200, b""))


def _client(url: str, storage: str, records: list[CallRecord]) -> BinanceClient:
    return BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
        base_url=url,
        futures_base_url=url,
        storage_uri=storage,
        on_call=records.append,
    )


def _exchanges(server: RawServer) -> int:
    return sum(1 for request in server.requests if EXCHANGE_PATH in request.split(b"\r\n")[0])


def _kill_redis_in_flight(
    tmp_path: Path, call: Callable[[BinanceClient], object]
) -> tuple[list[CallRecord], RawServer, BinanceClient, list[BaseException | None]]:
    held = _HeldExchange()
    records: list[CallRecord] = []
    outcome: list[BaseException | None] = []
    with redis_server(tmp_path) as redis, raw_server(held) as server:
        client = _client(server.url, redis.uri, records)

        def run() -> None:
            try:
                call(client)
                outcome.append(None)
            except BaseException as error:
                outcome.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        assert held.arrived.wait(30)  # the POST has reached the server...
        redis.kill()  # ...and the storage dies while it is in flight
        held.go.set()  # the server executes it and answers
        thread.join(30)
        # The answer, not a storage error (it did execute); and `call` found this process still guarded.
        assert outcome == [None], outcome
        assert _exchanges(server) == 1
    return records, server, client, outcome


def test_redis_dying_during_a_sync_exchange_does_not_hide_the_answer(tmp_path: Path) -> None:
    def call(client: BinanceClient) -> None:
        client.exchange_small_liability(["BTC"])
        with pytest.raises(BinanceCooldownError):  # this process is still guarded (storage or not)
            client.exchange_small_liability(["BTC"])

    records, _, client, _ = _kill_redis_in_flight(tmp_path, call)
    executed = records[0]
    assert (executed.outcome, executed.error, executed.status, executed.storage_failed) == (
        "ok",
        None,
        200,
        True,
    )
    assert records[1].error == "BinanceCooldownError" and records[1].requests == 0
    with pytest.raises(BinanceStorageError, match="nothing was sent"):  # other calls: refused, unsent
        client.coin_list()


def test_redis_dying_during_an_async_exchange_does_not_hide_the_answer(tmp_path: Path) -> None:
    async def call(client: BinanceClient) -> None:
        async with client:
            await client.aexchange_small_liability(["BTC"])
            with pytest.raises(BinanceCooldownError):  # this process is still guarded (storage or not)
                await client.aexchange_small_liability(["BTC"])

    records, _, _, _ = _kill_redis_in_flight(tmp_path, lambda c: asyncio.run(call(c)))
    assert (records[0].outcome, records[0].storage_failed) == ("ok", True)


# -- the race --------------------------------------------------------------------------------------------

RACERS = 8


def _racer(
    url: str,
    storage: str,
    api_key: str,
    secret: str,
    barrier: multiprocessing.synchronize.Barrier,
    results: object,
) -> None:
    client = BinanceClient(
        HmacCredentials(api_key, secret), base_url=url, futures_base_url=url, storage_uri=storage
    )
    barrier.wait(120)  # every process is built and connected to Redis: now they all go at once
    try:
        client.exchange_small_liability(["BTC"])
        results.put("executed")  # type: ignore[attr-defined]
    except BinanceCooldownError:
        results.put("refused")  # type: ignore[attr-defined]
    except Exception as error:  # anything else is the test's failure, reported by name
        results.put(f"{type(error).__name__}: {error}")  # type: ignore[attr-defined]


def test_eight_processes_racing_one_exchange_send_exactly_one(tmp_path: Path) -> None:
    # The mock counts every request that reaches it, whatever it answers: a second exchange reaching it
    # would be counted even though the mock would refuse it (its own 6-hour rule).
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(RACERS)
    results = context.Queue()
    with redis_server(tmp_path) as redis, running_mock() as mock:
        key = mock.hmac_key()
        processes = [
            context.Process(
                target=_racer, args=(mock.base_url, redis.uri, key.api_key, key.secret, barrier, results)
            )
            for _ in range(RACERS)
        ]
        for process in processes:
            process.start()
        outcomes = sorted(results.get(timeout=180) for _ in range(RACERS))
        for process in processes:
            process.join(60)
        assert mock.control.request_count("smallLiabilityExchange") == 1, outcomes
    assert outcomes == ["executed"] + ["refused"] * (RACERS - 1)
