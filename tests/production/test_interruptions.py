"""A call interrupted part-way (Ctrl-C, a cancelled task) settles the 6-hour guard by what really happened.

- Interrupted while its own request is out: it may have executed, so the guard is kept ("unknown").
- Interrupted while syncing the server time, before its own request left: the guard is handed back.
- A task cancelled during a shared-storage step (taking or keeping the guard) does not abandon it half-way:
  the step finishes, then the task is cancelled, and the guard ends as the call's outcome says.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, ClassVar

import httpx
import pytest
from binance_margin import BinanceClient, BinanceCooldownError, CallRecord, HmacCredentials
from binance_margin._budget import account_label
from binance_margin_api.spec_metadata import API_FAMILIES, OPERATIONS
from binance_margin_mock.testing import RunningMock
from limits.storage import MemoryStorage

from tests._secrets import MOCK_HMAC, WIRE_API_KEY, WIRE_SECRET
from tests.production.conftest import make_client

EXCHANGE = OPERATIONS["smallLiabilityExchange"]
SAPI_TIME = API_FAMILIES[EXCHANGE.family].server_time.path


class _Interrupting:
    """A transport answering like Binance, but raising KeyboardInterrupt on the request `at` once."""

    def __init__(self, at: str) -> None:
        self.at = at
        self.armed = True
        self.paths: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.paths.append(path)
        if self.armed and path == self.at:
            self.armed = False
            raise KeyboardInterrupt
        if path == SAPI_TIME:
            return httpx.Response(200, json={"serverTime": 1_767_225_600_000})
        return httpx.Response(200, content=b"")


def _client(transport: _Interrupting, records: list[CallRecord]) -> BinanceClient:
    return BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
        base_url="https://api.example",
        futures_base_url="https://fapi.example",
        transport=httpx.MockTransport(transport),
        on_call=records.append,
        time_sync=True,
    )


def test_an_interruption_while_the_exchange_is_out_keeps_the_guard() -> None:
    records: list[CallRecord] = []
    transport = _Interrupting(at=EXCHANGE.path)
    with _client(transport, records) as client:
        with pytest.raises(KeyboardInterrupt):
            client.exchange_small_liability(["BTC"])
        assert records[-1].outcome == "unknown" and records[-1].error == "KeyboardInterrupt"
        with pytest.raises(BinanceCooldownError, match="nothing was sent"):
            client.exchange_small_liability(["BTC"])
    assert transport.paths.count(EXCHANGE.path) == 1


def test_an_interruption_while_syncing_the_time_hands_the_guard_back() -> None:
    records: list[CallRecord] = []
    transport = _Interrupting(at=SAPI_TIME)
    with _client(transport, records) as client:
        with pytest.raises(KeyboardInterrupt):
            client.exchange_small_liability(["BTC"])
        assert records[-1].outcome == "not-sent"
        assert transport.paths.count(EXCHANGE.path) == 0
        client.exchange_small_liability(["BTC"])  # the guard was handed back: this one goes out
    assert records[-1].outcome == "ok" and transport.paths.count(EXCHANGE.path) == 1


class HeldMemory(MemoryStorage):
    """`limits`' memory storage under a scheme of its own (so the client treats it as shared storage and
    offloads its steps to a thread), whose first counter operation on a key with both `held` parts waits
    for the test."""

    STORAGE_SCHEME: ClassVar[list[str]] = ["held-memory"]
    held: ClassVar[tuple[str, str] | None] = None
    entered: ClassVar[threading.Event] = threading.Event()
    release: ClassVar[threading.Event] = threading.Event()

    def incr(self, key: str, expiry: Any, amount: int = 1) -> int:
        held = type(self).held
        if held is not None and all(part in key for part in held):
            type(self).held = None
            type(self).entered.set()
            type(self).release.wait(30)
        return super().incr(key, expiry, amount)


def _hold(part: str, other_part: str) -> None:
    HeldMemory.entered = threading.Event()
    HeldMemory.release = threading.Event()
    HeldMemory.held = (part, other_part)


async def _cancel_when_held(client: BinanceClient) -> None:
    task = asyncio.create_task(client.aexchange_small_liability(["BTC"]))
    assert await asyncio.to_thread(HeldMemory.entered.wait, 30), "the storage step was never reached"
    task.cancel()
    await asyncio.sleep(0)  # the cancellation is delivered while the storage step still waits
    HeldMemory.release.set()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_a_task_cancelled_while_taking_the_guard_hands_it_back(mock: RunningMock) -> None:
    records: list[CallRecord] = []
    client = make_client(mock, storage_uri="held-memory://", on_call=records.append)

    async def scenario() -> None:
        async with client:
            _hold(f"/cooldown/{EXCHANGE.operation_id}/", "/claim/")  # the claim's ticket
            await _cancel_when_held(client)
            assert records[-1].outcome == "not-sent"
            assert mock.control.request_count(EXCHANGE.operation_id) == 0
            await client.aexchange_small_liability(["BTC"])  # not refused: the claim was handed back

    asyncio.run(scenario())
    assert records[-1].outcome == "ok"
    assert mock.control.request_count(EXCHANGE.operation_id) == 1


def test_a_task_cancelled_while_keeping_the_guard_still_keeps_it(mock: RunningMock) -> None:
    records: list[CallRecord] = []
    client = make_client(mock, storage_uri="held-memory://", on_call=records.append)

    async def scenario() -> None:
        async with client:
            _hold(f"/cooldown/{EXCHANGE.operation_id}/", "/write")  # keeping it (after the 200)
            await _cancel_when_held(client)
            assert records[-1].outcome == "ok"  # it executed; the task was cancelled after
            with pytest.raises(BinanceCooldownError, match="nothing was sent"):
                await client.aexchange_small_liability(["BTC"])

    asyncio.run(scenario())
    assert mock.control.request_count(EXCHANGE.operation_id) == 1
    # The keep finished in the storage too, not only in this process's memory.
    key = (
        f"{client.budget.namespace}/cooldown/{EXCHANGE.operation_id}/{account_label(MOCK_HMAC.api_key, None)}"
    )
    assert client.budget.get_value(key) == client.next_exchange_allowed_ms() > 0
