"""Client logic over httpx.MockTransport with a fake clock: budgets, blocks, -1021, retries, records."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import socket
from collections.abc import Callable
from urllib.parse import parse_qsl

import httpx
import pytest
from binance_margin import (
    BinanceClient,
    BinanceCooldownError,
    BinanceIPBannedError,
    BinanceRateLimitError,
    BinanceServerError,
    BinanceStorageError,
    BinanceTransportError,
    BinanceWaitRefused,
    Budget,
    CallRecord,
    HmacCredentials,
    RetryPolicy,
)
from binance_margin_api.spec_metadata import API_FAMILIES, OPERATIONS, RATE_LIMITS, SIGNING

from tests._fake_clock import START_MS, FakeClock
from tests._secrets import WIRE_API_KEY, WIRE_SECRET

COINS = OPERATIONS["getSmallLiabilityExchangeCoinList"]
LIQUIDATE = OPERATIONS["marginManualLiquidation"]
EXCHANGE = OPERATIONS["smallLiabilityExchange"]
MARGIN = OPERATIONS["changeMarginType"]
COIN_BODY = b'[{"asset":"ETH","interest":"0","principal":"0.001","liabilityAsset":"USDT","liabilityQty":0.3}]'
LIQ_BODY = b'{"asset":"ETH","interest":"0","principal":"0.001","liabilityAsset":"USDT","liabilityQty":0.3}'
Handler = Callable[[httpx.Request], httpx.Response]


class Server:
    """A scripted Binance: verifies signatures, answers per path, records every request."""

    def __init__(self, clock: FakeClock, server_offset_ms: float = 0.0) -> None:
        self.clock = clock
        self.offset = server_offset_ms
        self.requests: list[httpx.Request] = []
        self.script: dict[tuple[str, str], list[Handler]] = {}

    def then(self, method: str, path: str, *handlers: Handler) -> None:
        self.script.setdefault((method, path), []).extend(handlers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path)
        queue = self.script.get(key)
        if queue:
            return queue.pop(0)(request)
        if request.url.path in (family.server_time.path for family in API_FAMILIES.values()):
            return httpx.Response(200, json={"serverTime": int(self.clock.now + self.offset)})
        query = request.url.query.decode()
        payload, _, signature = query.rpartition("&signature=")
        expected = hmac.new(WIRE_SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
        assert hmac.compare_digest(signature, expected), "bad signature"
        body = {
            COINS.path: COIN_BODY if request.method == "GET" else b"",
            LIQUIDATE.path: LIQ_BODY,
            MARGIN.path: b'{"code":200,"msg":"success"}',
        }[request.url.path]
        return httpx.Response(200, content=body)

    def sent(self, operation: object) -> int:
        method, path = operation.method, operation.path  # type: ignore[attr-defined]
        return sum(1 for r in self.requests if (r.method, r.url.path) == (method, path))

    def timestamps(self) -> list[int]:
        return [
            int(dict(parse_qsl(r.url.query.decode()))[SIGNING.timestamp_parameter])
            for r in self.requests
            if SIGNING.timestamp_parameter.encode() in r.url.query
        ]


def error(status: int, code: int, msg: str, **headers: str) -> Handler:
    return lambda request: httpx.Response(status, json={"code": code, "msg": msg}, headers=headers)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Server:
    return Server(clock)


def client_for(server: Server, clock: FakeClock, **options: object) -> BinanceClient:
    options.setdefault("retry", RetryPolicy(attempts=3, base=0.5, cap=1.0))
    return BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
        base_url="https://api.example",
        futures_base_url="https://fapi.example",
        transport=httpx.MockTransport(server),
        async_transport=httpx.MockTransport(server),
        clock=clock,
        **options,  # type: ignore[arg-type]
    )


def per_window(operation: object) -> int:
    limit = RATE_LIMITS[operation.rate_limit].limit  # type: ignore[attr-defined]
    return int(limit // operation.weight)  # type: ignore[attr-defined]


# -- budgets ---------------------------------------------------------------------------------------------


def test_a_used_up_bucket_refuses_without_sending_when_asked_not_to_wait(
    server: Server, clock: FakeClock
) -> None:
    records: list[CallRecord] = []
    client = client_for(server, clock, wait=False, on_call=records.append)
    for _ in range(per_window(COINS)):
        client.coin_list()
    assert records[-1].buckets[0].remaining == 0
    with pytest.raises(BinanceWaitRefused) as refused:
        client.coin_list()
    assert server.sent(COINS) == per_window(COINS)  # nothing over the budget went out
    window = RATE_LIMITS[COINS.rate_limit].interval_seconds
    elapsed = (clock.now - START_MS) / 1000
    assert window - elapsed <= refused.value.retry_after <= window - elapsed + 0.5
    assert "nothing was sent" in str(refused.value)
    assert (records[-1].outcome, records[-1].error, records[-1].requests) == (
        "not-sent",
        "BinanceWaitRefused",
        0,
    )


def test_a_used_up_bucket_waits_on_the_clock_then_sends(server: Server, clock: FakeClock) -> None:
    client = client_for(server, clock)
    for _ in range(per_window(COINS) + 1):
        client.coin_list()
    assert server.sent(COINS) == per_window(COINS) + 1
    assert len(clock.slept) == 1 and clock.slept[0] > 50
    assert client.last_call is not None and client.last_call.waited_seconds == pytest.approx(clock.slept[0])


def test_max_wait_refuses_a_longer_wait(server: Server, clock: FakeClock) -> None:
    client = client_for(server, clock, max_wait=1.0)
    for _ in range(per_window(COINS)):
        client.coin_list()
    with pytest.raises(BinanceWaitRefused, match="max_wait"):
        client.coin_list()
    assert clock.slept == []


async def test_async_calls_share_the_budget_and_refuse(server: Server, clock: FakeClock) -> None:
    client = client_for(server, clock)
    for _ in range(per_window(COINS) - 1):
        client.coin_list()
    await client.acoin_list()
    with client.call_options(wait=False), pytest.raises(BinanceWaitRefused):
        await client.acoin_list()
    await client.acoin_list()  # waits (on the fake clock)
    assert len(clock.slept) == 1
    await client.aclose()


def test_used_weight_header_corrects_the_local_view(server: Server, clock: FakeClock) -> None:
    limit = RATE_LIMITS[COINS.rate_limit]
    # Someone else (another host behind the same IP) used all but this call's weight.
    server.then(
        "GET",
        COINS.path,
        lambda r: httpx.Response(
            200, content=COIN_BODY, headers={limit.used_weight_header: str(limit.limit)}
        ),
    )
    client = client_for(server, clock, wait=False)
    client.coin_list()
    record = client.last_call
    assert record is not None and record.buckets[0].from_server and record.buckets[0].remaining == 0
    with pytest.raises(BinanceWaitRefused):
        client.coin_list()
    assert server.sent(COINS) == 1


def test_429_blocks_the_bucket_until_retry_after(server: Server, clock: FakeClock) -> None:
    server.then("GET", COINS.path, error(429, -1003, "Too much request weight used", **{"Retry-After": "7"}))
    client = client_for(server, clock)
    with pytest.raises(BinanceRateLimitError):
        client.coin_list()
    # Private storage: the block is a fact of this process alone, no counter write (and ticket) behind it.
    keys = client.budget._storage.live_keys()  # type: ignore[attr-defined]
    assert keys and not [key for key in keys if "/block/" in key]
    with client.call_options(wait=False), pytest.raises(BinanceWaitRefused) as refused:
        client.coin_list()
    assert refused.value.retry_after == pytest.approx(7, abs=0.01)
    client.manual_liquidation("MARGIN")  # another bucket is not blocked
    client.coin_list()  # waits the 7 s on the clock, then sends
    assert clock.slept == [pytest.approx(7, abs=0.01)]
    assert server.sent(COINS) == 2


def test_a_429_answered_after_its_window_ended_blocks_the_window_it_came_in(
    server: Server, clock: FakeClock
) -> None:
    # No Retry-After: the block lasts the rest of the window. The request went out in one window and its
    # 429 came half a second into the next: that next window is the one used up.
    window_ms = RATE_LIMITS[COINS.rate_limit].interval_seconds * 1000

    def late_429(request: httpx.Request) -> httpx.Response:
        clock.now = (clock.now // window_ms + 1) * window_ms + 500
        return httpx.Response(429, json={"code": -1003, "msg": "Too much request weight used"})

    server.then("GET", COINS.path, late_429)
    client = client_for(server, clock, wait=False)
    with pytest.raises(BinanceRateLimitError):
        client.coin_list()
    with pytest.raises(BinanceWaitRefused) as refused:
        client.coin_list()
    bucket = client.budget.for_operation(COINS.operation_id)
    assert refused.value.retry_after == pytest.approx((window_ms - 500 + bucket.guard_ms) / 1000, abs=0.01)
    assert server.sent(COINS) == 1


def test_418_blocks_the_whole_family_until_the_ban_ends(server: Server, clock: FakeClock) -> None:
    until = int(clock.now + 120_000)
    server.then(
        "GET", COINS.path, error(418, -1003, f"Way too much request weight used; IP banned until {until}.")
    )
    client = client_for(server, clock, wait=False)
    with pytest.raises(BinanceIPBannedError):
        client.coin_list()
    with pytest.raises(BinanceWaitRefused) as refused:
        client.manual_liquidation("MARGIN")
    assert refused.value.retry_after == pytest.approx(120, abs=0.01)
    client.change_margin_type("BTCUSDT", "CROSSED")  # FAPI is another family
    assert server.sent(LIQUIDATE) == 0


def test_boundary_guard_counts_in_both_windows() -> None:
    budget = Budget("memory://", account="a", window_seconds=10, guard=0.5)
    bucket = budget.for_operation(MARGIN.operation_id)
    window_ms = 10_000
    reservation = budget.reserve(bucket, 1, 3 * window_ms - 100)  # 100 ms before a boundary
    assert not isinstance(reservation, type(None))
    assert budget.used(bucket, 3 * window_ms - 100) == 1
    assert budget.used(bucket, 3 * window_ms + 1) == 1  # also counted in the next window
    budget.reserve(bucket, 1, 3 * window_ms + 5000)  # mid-window: one window only
    assert budget.used(bucket, 2 * window_ms + 1) == 1 and budget.used(bucket, 3 * window_ms) == 2


def test_shared_keys_never_contain_the_api_key(server: Server, clock: FakeClock) -> None:
    client = client_for(server, clock)
    client.coin_list()
    client.manual_liquidation("MARGIN")
    client.exchange_small_liability(["BTC"])
    keys = client.budget._storage.live_keys()  # type: ignore[attr-defined]
    assert keys and all(WIRE_API_KEY not in key for key in keys)
    label = "key-" + hashlib.sha256(WIRE_API_KEY.encode()).hexdigest()[:16]
    assert any(label in key for key in keys)
    named = client_for(server, clock, account="desk-7")
    named.manual_liquidation("MARGIN")
    assert any("/desk-7/" in key for key in named.budget._storage.live_keys())  # type: ignore[attr-defined]


# -- time --------------------------------------------------------------------------------------------------


def test_time_sync_uses_the_round_trip_midpoint(clock: FakeClock) -> None:
    server = Server(clock)

    def slow_time(request: httpx.Request) -> httpx.Response:
        clock.now += 40  # 40 ms round trip; the server read its clock half-way
        return httpx.Response(200, json={"serverTime": int(clock.now - 20 + 5000)})

    server.then("GET", API_FAMILIES["sapi"].server_time.path, slow_time)
    client = client_for(server, clock, time_sync=True)
    client.coin_list()
    assert client.server_clock.offset_ms("sapi") == pytest.approx(5000, abs=1)
    assert server.timestamps()[0] == pytest.approx(clock.now + 5000, abs=2)
    assert server.requests[0].headers.get(SIGNING.api_key_header) is None  # the time call is unsigned


@pytest.mark.parametrize("server_time", [10**400, 10**20, -1, 0])
def test_an_absurd_server_time_is_not_followed(clock: FakeClock, server_time: int) -> None:
    server = Server(clock)
    for _ in range(2):
        server.then(
            "GET",
            API_FAMILIES["sapi"].server_time.path,
            lambda request: httpx.Response(200, content=b'{"serverTime":%d}' % server_time),
        )
    client = client_for(server, clock, time_sync=True, time_sync_interval=0.001)
    client.exchange_small_liability(["BTC"])  # signed with the local time: the sync was junk
    assert client.server_clock.offset_ms("sapi") == 0
    assert server.timestamps() == [int(clock.now)]
    clock.now += 1
    with pytest.raises(BinanceCooldownError, match="allowed from"):  # its dates can be written
        client.exchange_small_liability(["BTC"])


def test_minus_1021_resyncs_and_resends_once_re_signed(clock: FakeClock) -> None:
    server = Server(clock, server_offset_ms=30_000)
    server.then(
        "GET", COINS.path, error(400, -1021, "Timestamp for this request is outside of the recvWindow.")
    )
    client = client_for(server, clock)
    assert len(client.coin_list()) == 1
    first, second = server.timestamps()
    assert second - first == pytest.approx(30_000, abs=5)  # re-signed with the synced clock
    record = client.last_call
    assert record is not None and record.requests == 3 and record.outcome == "ok"


def test_a_resend_after_minus_1021_that_gets_no_answer_records_no_status(clock: FakeClock) -> None:
    # The record's status is the call's last answer: the -1021's 400 is not the answer to the resend.
    server = Server(clock)
    server.then(
        "POST",
        MARGIN.path,
        error(400, -1021, "Timestamp for this request is outside of the recvWindow."),
        _raise(httpx.ReadTimeout),
    )
    records: list[CallRecord] = []
    client = client_for(server, clock, on_call=records.append)
    with pytest.raises(BinanceTransportError):
        client.change_margin_type("BTCUSDT", "CROSSED")
    assert (records[-1].status, records[-1].outcome, records[-1].requests) == (None, "unknown", 3)


def test_a_resend_after_minus_1021_refused_before_sending_keeps_the_minus_1021s_status(
    server: Server, clock: FakeClock
) -> None:
    # The -1021 says the bucket is used up: the sync and the resend are refused before sending. The last
    # answer the call got is the -1021's 400.
    limit = RATE_LIMITS[MARGIN.rate_limit]
    stale = "Timestamp for this request is outside of the recvWindow."
    server.then("POST", MARGIN.path, error(400, -1021, stale, **{limit.used_weight_header: str(limit.limit)}))
    records: list[CallRecord] = []
    client = client_for(server, clock, wait=False, on_call=records.append)
    with pytest.raises(BinanceWaitRefused, match="it was not sent again"):
        client.change_margin_type("BTCUSDT", "CROSSED")
    assert (records[-1].status, records[-1].outcome, records[-1].requests) == (400, "error", 1)


def test_minus_1021_is_resent_only_once(clock: FakeClock) -> None:
    server = Server(clock)
    server.then("POST", LIQUIDATE.path, *[error(400, -1021, "Timestamp outside recvWindow.")] * 3)
    client = client_for(server, clock)
    with pytest.raises(Exception, match="-1021"):
        client.manual_liquidation("MARGIN")
    assert server.sent(LIQUIDATE) == 2


# -- retries and unknown outcomes --------------------------------------------------------------------------


def test_get_5xx_is_retried_with_backoff(server: Server, clock: FakeClock) -> None:
    server.then("GET", COINS.path, error(500, -1000, "oops"), error(502, -1000, "oops"))
    client = client_for(server, clock)
    client.coin_list()
    assert server.sent(COINS) == 3
    assert len(clock.slept) == 2 and all(0 <= delay <= 1.0 for delay in clock.slept)
    assert client.last_call is not None and client.last_call.attempt == 3


def test_get_gives_up_after_the_policy_attempts(server: Server, clock: FakeClock) -> None:
    server.then("GET", COINS.path, *[error(500, -1000, "oops")] * 5)
    client = client_for(server, clock)
    with pytest.raises(BinanceServerError):
        client.coin_list()
    assert server.sent(COINS) == 3


def test_post_with_unknown_outcome_is_never_resent(server: Server, clock: FakeClock) -> None:
    unknown = API_FAMILIES["fapi"].unknown_outcome_messages[0]
    server.then("POST", MARGIN.path, error(503, -1000, unknown))
    client = client_for(server, clock, retry_not_executed_posts=True)
    with pytest.raises(BinanceServerError, match="unknown") as raised:
        client.change_margin_type("BTCUSDT", "CROSSED")
    assert raised.value.outcome_unknown and server.sent(MARGIN) == 1


@pytest.mark.parametrize("opt_in", [False, True])
def test_post_that_did_not_execute_is_resent_only_on_opt_in(
    server: Server, clock: FakeClock, opt_in: bool
) -> None:
    not_executed = API_FAMILIES["fapi"].not_executed_messages[0]
    server.then("POST", MARGIN.path, error(503, -1008, not_executed))
    client = client_for(server, clock, retry_not_executed_posts=opt_in)
    if opt_in:
        client.change_margin_type("BTCUSDT", "CROSSED")
    else:
        with pytest.raises(BinanceServerError) as raised:
            client.change_margin_type("BTCUSDT", "CROSSED")
        assert not raised.value.outcome_unknown
    assert server.sent(MARGIN) == (2 if opt_in else 1)


def _raise(kind: type[httpx.TransportError]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise kind("simulated", request=request)

    return handler


def test_connection_refused_post_is_resent_on_opt_in(server: Server, clock: FakeClock) -> None:
    server.then("POST", LIQUIDATE.path, _raise(httpx.ConnectError))
    client = client_for(server, clock, retry_not_executed_posts=True)
    client.manual_liquidation("MARGIN")
    assert server.sent(LIQUIDATE) == 2


def test_timeout_after_sending_a_post_is_unknown_and_arms_the_guard(server: Server, clock: FakeClock) -> None:
    server.then("POST", EXCHANGE.path, _raise(httpx.ReadTimeout))
    records: list[CallRecord] = []
    client = client_for(server, clock, retry_not_executed_posts=True, on_call=records.append)
    with pytest.raises(BinanceTransportError, match="outcome unknown") as raised:
        client.exchange_small_liability(["BTC"])
    assert raised.value.outcome_unknown and server.sent(EXCHANGE) == 1
    with pytest.raises(BinanceCooldownError):
        client.exchange_small_liability(["BTC"])
    assert server.sent(EXCHANGE) == 1
    assert [(r.outcome, r.error) for r in records] == [
        ("unknown", "BinanceTransportError"),
        ("not-sent", "BinanceCooldownError"),
    ]


@pytest.mark.parametrize("door", ["sync", "async"])
def test_ensure_refused_before_its_resend_still_says_the_first_attempt_may_have_executed(
    server: Server, clock: FakeClock, door: str
) -> None:
    # The first attempt's outcome is unknown (a 503 that may have executed) and its answer says the
    # bucket is used up: the resend is refused before sending. That refusal alone would say "nothing was
    # sent"; the caller must hear that the first attempt may have made the change.
    limit = RATE_LIMITS[MARGIN.rate_limit]
    unknown = API_FAMILIES["fapi"].unknown_outcome_messages[0]
    server.then(
        "POST", MARGIN.path, error(503, -1000, unknown, **{limit.used_weight_header: str(limit.limit)})
    )
    records: list[CallRecord] = []
    client = client_for(server, clock, wait=False, on_call=records.append)
    with pytest.raises(BinanceTransportError) as raised:
        if door == "sync":
            client.ensure_margin_type("BTCUSDT", "CROSSED")
        else:
            asyncio.run(client.aensure_margin_type("BTCUSDT", "CROSSED"))
    assert raised.value.outcome_unknown
    assert "an earlier attempt's outcome is unknown: it may have made the change" in str(raised.value)
    assert isinstance(raised.value.__cause__, BinanceWaitRefused)
    assert server.sent(MARGIN) == 1
    assert [(r.outcome, r.error) for r in records] == [
        ("unknown", "BinanceServerError"),
        ("not-sent", "BinanceWaitRefused"),
    ]


def test_get_connection_errors_are_retried(server: Server, clock: FakeClock) -> None:
    server.then("GET", COINS.path, _raise(httpx.RemoteProtocolError), _raise(httpx.ConnectError))
    client = client_for(server, clock)
    client.coin_list()
    assert server.sent(COINS) == 3


# -- observability -----------------------------------------------------------------------------------------


def test_on_call_gets_every_record_and_a_broken_hook_does_not_break_calls(
    server: Server, clock: FakeClock
) -> None:
    records: list[CallRecord] = []
    client = client_for(server, clock, on_call=records.append)
    client.coin_list()
    client.change_margin_type("BTCUSDT", "ISOLATED")
    assert [r.operation for r in records] == [COINS.operation_id, MARGIN.operation_id]
    usage = records[1].buckets[0]
    assert (usage.rate_limit, usage.used, usage.limit) == (MARGIN.rate_limit, MARGIN.weight, usage.limit)
    assert usage.remaining == RATE_LIMITS[MARGIN.rate_limit].limit - MARGIN.weight

    def broken(record: CallRecord) -> None:
        raise RuntimeError("metrics down")

    client_for(server, clock, on_call=broken).coin_list()


def test_last_call_with_no_hook_and_logging_off_is_the_record_of_the_call_as_it_ended(
    server: Server, clock: FakeClock
) -> None:
    # The production default (no on_call, the logger at WARNING or above): a record nobody takes is built
    # only when `last_call` is read, from what the call had when it ended, not when it is read. Its twin,
    # with a hook, builds the same record at once.
    logger = logging.getLogger("binance_margin")
    level = logger.level
    hooked: list[CallRecord] = []
    logger.setLevel(logging.CRITICAL)
    try:
        lazy = client_for(server, clock, rng=random.Random(7))
        twin = client_for(server, clock, rng=random.Random(7), on_call=hooked.append)
        for client in (lazy, twin):  # each: a 500, then the retry's 200 after a backoff on the clock
            server.then("GET", COINS.path, error(500, -1000, "oops"))
            client.coin_list()
        clock.sleep(60)  # time passes before the lazy client's record is read
        record = lazy.last_call
    finally:
        logger.setLevel(level)
    assert record is not None and record == hooked[0]
    assert (record.outcome, record.attempt, record.requests, record.status) == ("ok", 2, 2, 200)
    assert record.duration_ms == pytest.approx(clock.slept[0] * 1000)  # the backoff, not the 60 s after
    assert lazy.last_call is record  # built once


def test_logs_carry_no_query_string_or_key(
    server: Server, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="binance_margin")
    server.then("GET", COINS.path, error(500, -1000, "oops"))
    client = client_for(server, clock, time_sync=True)
    client.coin_list()
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET /sapi/v1/margin/exchange-small-liability -> 200" in text
    assert "signature" not in text and "timestamp=" not in text and WIRE_API_KEY not in text
    assert json.dumps(text)  # (plain text)


def test_a_storage_that_stops_answering_fails_the_call_with_nothing_sent(clock: FakeClock) -> None:
    # A Redis that accepts connections and never answers: the URI's socket timeouts end the wait.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        server = Server(clock)
        client = client_for(
            server,
            clock,
            storage_uri=f"redis://127.0.0.1:{port}/0?socket_timeout=0.5&socket_connect_timeout=0.5",
        )
        with pytest.raises(BinanceStorageError, match="TimeoutError; nothing was sent"):
            client.exchange_small_liability(["BTC"])
    assert server.requests == []
