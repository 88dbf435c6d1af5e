"""A call interrupted part-way (Ctrl-C, a cancelled task) settles the 6-hour guard by what really happened.

- Interrupted while its own request is out: it may have executed, so the guard is kept ("unknown").
- Interrupted while syncing the server time, before its own request left: the guard is handed back.
- A task cancelled during a shared-storage step (taking or keeping the guard) does not abandon it half-way:
  the step finishes, then the task is cancelled (cancelled, even when the call then raises its own
  error), and the guard ends as the call's outcome says.
- A Ctrl-C while the guard is being kept in the storage: the keep is done again in place, so the shared
  guard holds and its claim is handed back.
- Through the default drivers, an interruption while connecting is "not sent" and one after the server
  has the request is "unknown", judged by what a silent server really received.
- A Ctrl-C that leaves httpcore's pool lock taken (handled just after the acquire) does not hang the
  client's next call or its close (the CLI's exit).
"""

from __future__ import annotations

import asyncio
import gc
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import httpcore
import httpx
import pytest
from binance_margin import BinanceClient, BinanceCooldownError, CallRecord, HmacCredentials
from binance_margin._budget import account_label
from binance_margin._cli import main as cli_main
from binance_margin_api.spec_metadata import API_FAMILIES, OPERATIONS
from binance_margin_mock.testing import RunningMock
from limits.storage import MemoryStorage

from tests._raw import RawServer, answer, answering, ends, raw_server, read_request
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


def _guard_key(client: BinanceClient) -> str:
    return (
        f"{client.budget.namespace}/cooldown/{EXCHANGE.operation_id}/{account_label(MOCK_HMAC.api_key, None)}"
    )


def test_a_task_cancelled_while_taking_the_guard_hands_it_back(mock: RunningMock) -> None:
    records: list[CallRecord] = []
    client = make_client(mock, storage_uri="held-memory://", on_call=records.append)

    async def scenario() -> None:
        async with client:
            _hold(f"/cooldown/{EXCHANGE.operation_id}/", "/claim")  # the claim's ticket
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
    assert client.budget.get_value(_guard_key(client)) == client.next_exchange_allowed_ms() > 0


async def test_a_task_cancelled_while_keeping_the_guard_after_a_5xx_ends_cancelled_and_guarded(
    mock: RunningMock,
) -> None:
    # The exchange may have executed (a 500): the guard is being kept when the task is cancelled. The
    # keep finishes, then the task ends cancelled (a cancellation is never swallowed: timeouts and task
    # groups depend on it), with the server error as its context, and the guard held.
    mock.control.add_fault(
        kind="error",
        operation=EXCHANGE.operation_id,
        count=1,
        status=500,
        code=-1000,
        msg="oops",
        executed=True,
    )
    records: list[CallRecord] = []
    client = make_client(mock, storage_uri="held-memory://", on_call=records.append)
    async with client:
        _hold(f"/cooldown/{EXCHANGE.operation_id}/", "/write")
        task = asyncio.create_task(client.aexchange_small_liability(["BTC"]))
        assert await asyncio.to_thread(HeldMemory.entered.wait, 30), "the keep was never reached"
        task.cancel()
        await asyncio.sleep(0)
        HeldMemory.release.set()
        with pytest.raises(asyncio.CancelledError) as cancelled:
            await task
        assert type(cancelled.value.__context__).__name__ == "BinanceServerError"
        assert (records[-1].outcome, records[-1].error) == ("unknown", "BinanceServerError")
        assert client.budget.get_value(_guard_key(client)) == client.next_exchange_allowed_ms() > 0
        with pytest.raises(BinanceCooldownError, match="nothing was sent"):
            await client.aexchange_small_liability(["BTC"])
    assert mock.control.request_count(EXCHANGE.operation_id) == 1


class InterruptedMemory(MemoryStorage):
    """`limits`' memory storage under a scheme of its own (shared storage to the client), whose first
    counter operation on a key with both `at` parts raises KeyboardInterrupt: a Ctrl-C while the storage
    call runs (a sync call's storage steps run on the caller's thread)."""

    STORAGE_SCHEME: ClassVar[list[str]] = ["interrupted-memory"]
    at: ClassVar[tuple[str, str] | None] = None

    def incr(self, key: str, expiry: Any, amount: int = 1) -> int:
        at = type(self).at
        if at is not None and all(part in key for part in at):
            type(self).at = None
            raise KeyboardInterrupt
        return super().incr(key, expiry, amount)


def test_ctrl_c_while_keeping_the_guard_still_keeps_it_in_the_storage(mock: RunningMock) -> None:
    # The exchange executed (the mock's 200); Ctrl-C lands while the guard is written to the storage. The
    # keep is done again in place before the interruption goes on: the shared guard holds (not only this
    # process's memory), and the claim's ticket is handed back (else it would block others until it
    # expired, and then let a second exchange through within the 6 hours).
    records: list[CallRecord] = []
    client = make_client(mock, storage_uri="interrupted-memory://", on_call=records.append)
    InterruptedMemory.at = (f"/cooldown/{EXCHANGE.operation_id}/", "/write")
    with client:
        with pytest.raises(KeyboardInterrupt):
            client.exchange_small_liability(["BTC"])
        assert InterruptedMemory.at is None, "the keep was never interrupted"
        # Its success answer had come: it executed (as a cancelled task's record says, too).
        assert (records[-1].outcome, records[-1].error, records[-1].status) == (
            "ok",
            "KeyboardInterrupt",
            200,
        )
        key = _guard_key(client)
        assert client.budget.get_value(key) == client.next_exchange_allowed_ms() > 0
        assert client.budget.get_value(f"{key}/claim") == 0
        with pytest.raises(BinanceCooldownError, match="nothing was sent"):
            client.exchange_small_liability(["BTC"])
    assert mock.control.request_count(EXCHANGE.operation_id) == 1


def test_the_cli_interrupted_while_keeping_the_guard_says_the_exchange_executed(
    mock: RunningMock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BINANCE_API_KEY", MOCK_HMAC.api_key)
    monkeypatch.setenv("BINANCE_API_SECRET", MOCK_HMAC.secret)
    InterruptedMemory.at = (f"/cooldown/{EXCHANGE.operation_id}/", "/write")
    hosts = ["--base-url", mock.base_url, "--futures-base-url", mock.base_url]
    code = cli_main([*hosts, "--storage-uri", "interrupted-memory://", "exchange-small-liability", "BTC"])
    assert InterruptedMemory.at is None, "the keep was never interrupted"
    assert (code, "interrupted after the call executed" in capsys.readouterr().err) == (3, True)
    assert mock.control.request_count(EXCHANGE.operation_id) == 1


def test_a_task_cancelled_while_reserving_weight_sends_nothing_and_hands_the_guard_back(
    mock: RunningMock,
) -> None:
    # The cancellation is held until the reservation is done, then thrown at the next step: the send,
    # which never began.
    records: list[CallRecord] = []
    client = make_client(mock, storage_uri="held-memory://", on_call=records.append)

    async def scenario() -> None:
        async with client:
            _hold("/w/", f"/{EXCHANGE.operation_id}/")  # the exchange's weight reservation
            await _cancel_when_held(client)
            assert (records[-1].outcome, client.next_exchange_allowed_ms()) == ("not-sent", 0)
            assert mock.control.request_count(EXCHANGE.operation_id) == 0
            await client.aexchange_small_liability(["BTC"])

    asyncio.run(scenario())
    assert records[-1].outcome == "ok"
    assert mock.control.request_count(EXCHANGE.operation_id) == 1


class _SilentServer:
    """A `raw_server` behaviour: reads one request on each connection and never answers it."""

    def __init__(self) -> None:
        self.raw: RawServer | None = None
        self.got_request = threading.Event()
        self.on_request: Callable[[], object] = lambda: None
        # A SIGINT that lands just before the client's read starts to wait is handled when that read
        # returns (CPython runs handlers between bytecodes): a dripping, never-complete answer makes that
        # the next byte, not the client's timeout.
        self.drips = False

    def __call__(self, connection: socket.socket, server: RawServer) -> None:
        if read_request(connection, server) is not None:
            self.got_request.set()
            self.on_request()
            if self.drips:
                connection.sendall(b"HTTP/1.1 200 OK\r\nX-Wait: ")
                while not server.stop.wait(0.05):
                    connection.sendall(b"a")
            server.stop.wait(30)  # the answer never comes

    @property
    def url(self) -> str:
        assert self.raw is not None
        return self.raw.url

    @property
    def received(self) -> int:
        """The whole requests it read."""
        assert self.raw is not None
        return len(self.raw.requests)


@pytest.fixture
def silent() -> Iterator[_SilentServer]:
    behaviour = _SilentServer()
    with raw_server(behaviour) as server:
        behaviour.raw = server
        yield behaviour


def _silent_client(
    server: _SilentServer | RawServer, records: list[CallRecord], **options: Any
) -> BinanceClient:
    return BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
        base_url=server.url,
        futures_base_url=server.url,
        on_call=records.append,
        **options,
    )


def _connect_interrupted(*args: object, **kwargs: object) -> httpcore.NetworkStream:
    raise KeyboardInterrupt  # Ctrl-C while the TCP connect is pending


def test_ctrl_c_while_connecting_is_not_sent(silent: _SilentServer, monkeypatch: pytest.MonkeyPatch) -> None:
    records: list[CallRecord] = []
    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", _connect_interrupted)
    with _silent_client(silent, records) as client:
        with pytest.raises(KeyboardInterrupt):
            client.exchange_small_liability(["BTC"])
        assert (records[-1].outcome, client.next_exchange_allowed_ms()) == ("not-sent", 0)
    assert silent.received == 0


class _InterruptedInTheLock:
    """httpcore's pool lock `__enter__`, raising KeyboardInterrupt just after the acquire, once, when armed
    and called from `where`: what a signal handled at that point does (the `with` never holds the lock,
    so it is never released). No public seam reaches there: the test steps into httpcore's lock class."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.armed = False

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from httpcore._synchronization import ThreadLock

        acquire = ThreadLock.__enter__

        def enter(lock: Any) -> Any:
            held = acquire(lock)
            if self.armed and sys._getframe(1).f_code.co_name == self.where:
                self.armed = False
                raise KeyboardInterrupt
            return held

        monkeypatch.setattr(ThreadLock, "__enter__", enter)


# The pool takes its lock to queue the request (handle_request) and to take it off the queue once the
# answer is read (the response stream's close).
@pytest.mark.parametrize("where", ["handle_request", "close"])
def test_ctrl_c_that_leaves_httpcores_pool_lock_taken_hangs_neither_the_next_call_nor_close(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    interrupt = _InterruptedInTheLock(where)
    interrupt.install(monkeypatch)
    records: list[CallRecord] = []
    with raw_server(answering(answer(200, b"[]"))) as server:
        client = _silent_client(server, records)
        client.coin_list()  # a pooled connection
        interrupt.armed = True
        assert isinstance(ends(client.coin_list, within=10), KeyboardInterrupt)
        assert not interrupt.armed  # it struck where it should
        assert ends(client.coin_list, within=10) is None  # answered: not waiting on the lock for ever
        assert ends(client.close, within=10) is None
        gc.collect()  # the given-up pool's connection closes with it (the server's handler then ends)
    assert [record.outcome for record in records[::2]] == ["ok", "ok"] and len(records) == 3


def test_the_cli_interrupted_once_the_server_has_the_request_exits_3(
    silent: _SilentServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    main = threading.main_thread().ident
    assert main is not None and threading.current_thread() is threading.main_thread()
    silent.on_request = lambda: signal.pthread_kill(main, signal.SIGINT)
    silent.drips = True
    monkeypatch.setenv("BINANCE_API_KEY", WIRE_API_KEY)
    monkeypatch.setenv("BINANCE_API_SECRET", WIRE_SECRET)
    hosts = ["--base-url", silent.url, "--futures-base-url", silent.url]
    try:
        code = cli_main([*hosts, "exchange-small-liability", "BTC"])
    except KeyboardInterrupt:
        pytest.fail("the CLI let the interruption through, with no word on the outcome")
    assert code == 3
    assert "outcome is unknown" in capsys.readouterr().err and silent.received == 1


def _close_after_reading(connection: socket.socket, server: RawServer) -> None:
    read_request(connection, server)  # the request arrived; no answer: its outcome is unknown


def test_the_cli_ensure_interrupted_in_a_resend_still_exits_3_for_the_unknown_first_try(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The first attempt reached the server and went unanswered; Ctrl-C lands while the resend connects.
    connect = httpcore.SyncBackend.connect_tcp
    connects: list[object] = []

    def second_connect_interrupted(self: httpcore.SyncBackend, *args: Any, **kwargs: Any) -> Any:
        connects.append(args)
        if len(connects) == 2:
            raise KeyboardInterrupt
        return connect(self, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", second_connect_interrupted)
    monkeypatch.setenv("BINANCE_API_KEY", WIRE_API_KEY)
    monkeypatch.setenv("BINANCE_API_SECRET", WIRE_SECRET)
    with raw_server(_close_after_reading) as server:
        hosts = ["--base-url", server.url, "--futures-base-url", server.url]
        code = cli_main([*hosts, "margin-type", "BTCUSDT", "ISOLATED", "--ensure"])
    assert (len(server.requests), len(connects)) == (1, 2)
    assert code == 3 and "outcome is unknown" in capsys.readouterr().err


def test_ctrl_c_once_the_server_has_the_request_is_unknown(silent: _SilentServer) -> None:
    records: list[CallRecord] = []
    # A real SIGINT while the client waits for the status line (the server never answers).
    main = threading.main_thread().ident
    assert main is not None and threading.current_thread() is threading.main_thread()
    silent.on_request = lambda: signal.pthread_kill(main, signal.SIGINT)
    silent.drips = True
    with _silent_client(silent, records) as client:
        with pytest.raises(KeyboardInterrupt):
            client.exchange_small_liability(["BTC"])
        assert records[-1].outcome == "unknown" and client.next_exchange_allowed_ms() > 0
    assert silent.received == 1


@pytest.mark.parametrize("driver", ["aiohttp", "httpx"])
@pytest.mark.parametrize("moment", ["connecting", "request received"])
def test_a_task_cancelled_through_an_async_driver_is_judged_by_what_the_server_got(
    silent: _SilentServer, moment: str, driver: str
) -> None:
    records: list[CallRecord] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        connecting = asyncio.Event()
        if moment == "connecting":

            async def pending_connect(sock: socket.socket, address: Any) -> None:
                connecting.set()
                await asyncio.Event().wait()  # the SYN is never answered

            loop.sock_connect = pending_connect  # type: ignore[method-assign]
        given = {"async_transport": httpx.AsyncHTTPTransport()} if driver == "httpx" else {}
        async with _silent_client(silent, records, **given) as client:
            task = asyncio.create_task(client.aexchange_small_liability(["BTC"]))
            if moment == "connecting":
                await asyncio.wait_for(connecting.wait(), 30)
            else:
                assert await asyncio.to_thread(silent.got_request.wait, 30)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            kept = client.next_exchange_allowed_ms() > 0
        executed = moment == "request received"
        assert (records[-1].outcome, kept) == (("unknown", True) if executed else ("not-sent", False))

    asyncio.run(scenario())
    assert silent.received == (1 if moment == "request received" else 0)


@pytest.mark.parametrize("loop", ["asyncio", "trio"])
def test_the_guard_of_a_cancelled_task_is_settled_off_the_event_loop(
    silent: _SilentServer, loop: str
) -> None:
    records: list[CallRecord] = []
    settled_on: list[threading.Thread] = []
    original = HeldMemory.incr

    def incr(storage: HeldMemory, key: str, expiry: Any, amount: int = 1) -> int:
        if key.endswith("/write"):  # keeping the guard
            settled_on.append(threading.current_thread())
        return original(storage, key, expiry, amount)

    async def scenario() -> None:
        async with _silent_client(silent, records, storage_uri="held-memory://") as client:
            task = asyncio.create_task(client.aexchange_small_liability(["BTC"]))
            assert await asyncio.to_thread(silent.got_request.wait, 30)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert client.next_exchange_allowed_ms() > 0

    async def trio_scenario() -> None:
        import trio

        async with _silent_client(silent, records, storage_uri="held-memory://") as client:
            with trio.CancelScope() as scope:
                async with trio.open_nursery() as nursery:

                    async def cancel_when_sent() -> None:
                        assert await trio.to_thread.run_sync(silent.got_request.wait, 30)
                        scope.cancel()

                    nursery.start_soon(cancel_when_sent)
                    await client.aexchange_small_liability(["BTC"])
            assert scope.cancelled_caught and client.next_exchange_allowed_ms() > 0

    HeldMemory.held = None
    HeldMemory.incr = incr  # type: ignore[method-assign]
    try:
        if loop == "trio":
            trio = pytest.importorskip("trio", reason="trio is in the dev extra; CI installs it")
            trio.run(trio_scenario)
        else:
            asyncio.run(scenario())
    finally:
        HeldMemory.incr = original  # type: ignore[method-assign]
    assert records[-1].outcome == "unknown"
    assert settled_on and threading.main_thread() not in settled_on


def test_a_trio_task_cancelled_while_reserving_weight_sends_nothing(silent: _SilentServer) -> None:
    # Under trio the cancellation reaches the flow inside the sender (httpx's own transport), before
    # httpcore has traced anything: that is "not sent".
    trio = pytest.importorskip("trio", reason="trio is in the dev extra; CI installs it")
    records: list[CallRecord] = []
    client = _silent_client(silent, records, storage_uri="held-memory://")

    async def scenario() -> None:
        _hold("/w/", f"/{EXCHANGE.operation_id}/")  # the exchange's weight reservation
        with trio.CancelScope() as scope:
            async with trio.open_nursery() as nursery:

                async def cancel_when_held() -> None:
                    assert await trio.to_thread.run_sync(HeldMemory.entered.wait, 30)
                    scope.cancel()
                    HeldMemory.release.set()

                nursery.start_soon(cancel_when_held)
                await client.aexchange_small_liability(["BTC"])
        assert scope.cancelled_caught
        await client.aclose()

    trio.run(scenario)
    assert (records[-1].outcome, client.next_exchange_allowed_ms()) == ("not-sent", 0)
    assert silent.received == 0
