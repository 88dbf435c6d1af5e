"""The facts the budget keeps (the 6-hour guard, 429/418 blocks) hold as long as they say, on the server's
clock, whatever the storage or the time endpoint does.

- A fact raised in a shared key that is about to expire lasts its full time (a `limits` counter keeps
  the expiry it was created with).
- With `time_sync=True`, the guard is taken on the server's clock, not the host's; without it, a -1021
  that corrects the clock has the guard checked again before the resend.
- A 429 on the time endpoint does not stop the calls: the sync is skipped, not waited for.
- A 429 answered while the storage fails still blocks the bucket in this process.
- A guard ticket held by another caller is refused with the time it may take to settle, not 6 hours;
  and a caller that read the guard just before another's keep is refused (shared or private storage).
- A used-weight header that is not plain ASCII digits, or too long for a counter, is not taken for a number.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, ClassVar

import attrs
import httpx
import pytest
import redis
from binance_margin import (
    BinanceClient,
    BinanceCooldownError,
    BinanceRateLimitError,
    BinanceStorageError,
    BinanceWaitRefused,
    CallRecord,
    HmacCredentials,
)
from binance_margin._budget import Budget, account_label
from binance_margin._cooldown import Cooldown, once_rule
from binance_margin_api.spec_metadata import API_FAMILIES, OPERATIONS, RATE_LIMITS
from limits.storage import MemoryStorage

from tests._raw import RawServer, answer, raw_server, read_request
from tests._secrets import WIRE_API_KEY, WIRE_SECRET

from .conftest import MOCK_CREDENTIALS, RunningMock, make_client

EXCHANGE = OPERATIONS["smallLiabilityExchange"]
RULE = once_rule(EXCHANGE)
assert RULE is not None
COINS = OPERATIONS["getSmallLiabilityExchangeCoinList"]
HOURS_7 = 7 * 3600 * 1000


@pytest.mark.redis
def test_a_fact_in_a_key_about_to_expire_lasts_its_full_time(redis_uri: str) -> None:
    budget = Budget(redis_uri, account="a", namespace=f"t-{uuid.uuid4().hex[:8]}")
    key = f"{budget.namespace}/fact"
    budget.raise_value(key, 1_000, lasting_seconds=600)
    store = redis.Redis.from_url(redis_uri)
    (stored,) = store.keys(f"*{key}")  # under `limits`' key prefix
    store.expire(stored, 5)  # the first fact's time is nearly up (as a guard key is 6 hours on)
    budget.raise_value(key, 2_000, lasting_seconds=600)
    assert budget.get_value(key) == 2_000 and store.ttl(stored) >= 600
    budget.raise_value(key, 2_500, lasting_seconds=10)  # the key outlives this one: added to, as it is
    assert budget.get_value(key) == 2_500 and store.ttl(stored) >= 590


@pytest.mark.redis
@pytest.mark.parametrize("server_offset_ms", [-HOURS_7, HOURS_7], ids=["server-behind", "server-ahead"])
def test_a_fresh_client_takes_the_guard_on_the_servers_clock(
    mock: RunningMock, redis_uri: str, server_offset_ms: int
) -> None:
    mock.control.set_time_ms(int(time.time() * 1000) + server_offset_ms)
    shared = {"storage_uri": redis_uri, "budget_namespace": f"t-{uuid.uuid4().hex[:8]}", "time_sync": True}
    with make_client(mock, **shared) as first:
        first.exchange_small_liability(["BTC"])
    with make_client(mock, **shared) as fresh, pytest.raises(BinanceCooldownError) as raised:
        fresh.exchange_small_liability(["BTC"])  # refused here, on the server's clock: never sent
    assert raised.value.retry_after == pytest.approx(RULE.interval_seconds, abs=60)
    assert mock.control.request_count(EXCHANGE.operation_id) == 1


@pytest.mark.redis
def test_a_host_clock_ahead_is_checked_against_the_guard_again_after_the_1021(
    mock: RunningMock, redis_uri: str
) -> None:
    # time_sync=False (the default): the guard is taken on the host's clock, 7 h ahead of the server's, so
    # another client's exchange of a moment ago looks 7 h old. The server refuses the timestamp (-1021)
    # and the client syncs: before resending, it checks the guard again on the corrected clock.
    mock.control.set_time_ms(int(time.time() * 1000) - HOURS_7)
    shared = {"storage_uri": redis_uri, "budget_namespace": f"t-{uuid.uuid4().hex[:8]}"}
    with make_client(mock, **shared) as first:
        first.exchange_small_liability(["BTC"])  # -1021, synced, resent: executed
    records: list[CallRecord] = []
    with (
        make_client(mock, on_call=records.append, **shared) as fresh,
        pytest.raises(BinanceCooldownError, match="it was not sent again") as raised,
    ):
        fresh.exchange_small_liability(["BTC"])
    assert raised.value.retry_after == pytest.approx(RULE.interval_seconds, abs=60)
    assert (records[-1].outcome, records[-1].requests) == ("error", 2)  # the -1021'd exchange, the sync
    assert mock.control.request_count(EXCHANGE.operation_id) == 3  # first: refused, resent; fresh: refused
    assert fresh.next_exchange_allowed_ms() == first.next_exchange_allowed_ms()  # the guard as it was


def test_a_429_on_the_time_endpoint_does_not_stop_the_calls(mock: RunningMock) -> None:
    time_path = API_FAMILIES[COINS.family].server_time.path
    mock.control.add_fault(kind="rate_limit", operation=time_path, count=1, retry_after=600)
    with make_client(mock, time_sync=True) as client:
        client.coin_list()  # its sync was answered 429: the call goes on with the offset it had
        client.coin_list()  # the time bucket is blocked for 10 minutes: the sync is skipped, not waited for
    assert mock.control.request_count(COINS.operation_id) == 2


def _wire_client(url: str, records: list[CallRecord], **options: Any) -> BinanceClient:
    """A client of the wire-test credentials on `url` (both families), recording its calls."""
    return BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
        base_url=url,
        futures_base_url=url,
        on_call=records.append,
        **options,
    )


class FailingMemory(MemoryStorage):
    """`limits`' memory storage under a scheme of its own (shared, as far as the client knows), failing
    every operation while `failing` is set, as a Redis that went away."""

    STORAGE_SCHEME: ClassVar[list[str]] = ["failing-memory"]
    failing: ClassVar[bool] = False
    fail_from: ClassVar[str | None] = None  # set `failing` at the first increment of a key holding this

    @property
    def base_exceptions(self) -> type[Exception]:
        return ConnectionError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        if type(self).fail_from is not None and type(self).fail_from in key:
            type(self).failing, type(self).fail_from = True, None
        if type(self).failing:
            raise ConnectionError("the storage went away")
        return super().incr(key, expiry, amount)

    def clear(self, key: str) -> None:
        if type(self).failing:
            raise ConnectionError("the storage went away")
        super().clear(key)

    def get(self, key: str) -> int:
        if type(self).failing:
            raise ConnectionError("the storage went away")
        return super().get(key)


def test_a_guard_that_could_not_be_handed_back_is_marked_on_the_record(mock: RunningMock) -> None:
    # The guard is taken, then the storage goes away at the weight reservation: nothing is sent, and
    # handing the guard back fails too (its ticket expires on its own): the record says so.
    records: list[CallRecord] = []
    client = make_client(mock, storage_uri="failing-memory://", on_call=records.append)
    FailingMemory.fail_from = "/w/"
    try:
        with pytest.raises(BinanceStorageError, match="nothing was sent"):
            client.exchange_small_liability(["BTC"])
    finally:
        FailingMemory.failing, FailingMemory.fail_from = False, None
    assert (records[-1].outcome, records[-1].storage_failed, records[-1].requests) == ("not-sent", True, 0)
    assert mock.control.request_count(EXCHANGE.operation_id) == 0


def test_a_429_answered_while_the_storage_fails_still_blocks_this_process() -> None:
    header = RATE_LIMITS[COINS.rate_limit].used_weight_header.encode()

    def answer_429_with_the_storage_gone(connection: object, server: RawServer) -> None:
        buffer = bytearray()
        while read_request(connection, server, buffer) is not None:  # type: ignore[arg-type]
            FailingMemory.failing = True  # after the reservation, before the answer is read
            too_many = b'{"code":-1003,"msg":"Too much request weight used"}'
            connection.sendall(answer(429, too_many, b"Retry-After: 600", header + b": 12000"))  # type: ignore[attr-defined]

    records: list[CallRecord] = []
    try:
        with raw_server(answer_429_with_the_storage_gone) as server:
            with _wire_client(server.url, records, storage_uri="failing-memory://") as client:
                with pytest.raises(BinanceRateLimitError):
                    client.coin_list()
                assert records[-1].storage_failed
                FailingMemory.failing = False  # the storage is back, without the block in it
                with pytest.raises(BinanceWaitRefused, match="blocked"):
                    client.coin_list()  # still blocked here: not sent inside its Retry-After
            assert len(server.requests) == 1
    finally:
        FailingMemory.failing = False


@pytest.mark.redis
def test_a_ticket_held_by_another_caller_is_refused_for_the_time_it_takes_to_settle(
    mock: RunningMock, redis_uri: str
) -> None:
    namespace = f"t-{uuid.uuid4().hex[:8]}"
    account = account_label(MOCK_CREDENTIALS.api_key, None)
    ticket = f"{namespace}/cooldown/{EXCHANGE.operation_id}/{account}/claim"
    with make_client(mock, storage_uri=redis_uri, budget_namespace=namespace) as client:
        client.budget.take_ticket(ticket, 300)  # another caller's exchange is in flight
        with pytest.raises(BinanceCooldownError, match="when it is settled") as raised:
            client.exchange_small_liability(["BTC"])
    assert 0 < raised.value.retry_after < RULE.interval_seconds / 10
    assert redis.Redis.from_url(redis_uri).keys(f"*{ticket}")  # not taken from its holder
    assert mock.control.request_count(EXCHANGE.operation_id) == 0


JUNK_USED_WEIGHTS = ["1_2000", " +12000 ", "١٢٠٠٠", "12000.0", "-5", "9" * 19, "12000" + "0" * 20]


def _junk_used_weight_calls(value: str, **options: Any) -> list[CallRecord]:
    header = RATE_LIMITS[COINS.rate_limit].used_weight_header
    headers = [(header.encode(), value.encode())]
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=[], headers=headers))
    records: list[CallRecord] = []
    url = "https://api.example"
    with _wire_client(url, records, transport=transport, wait=False, **options) as client:
        client.coin_list()
        client.coin_list()  # not refused (wait=False): the junk was not taken for a full bucket
    return records


@pytest.mark.parametrize("value", JUNK_USED_WEIGHTS)
def test_a_used_weight_header_that_is_not_plain_digits_is_not_a_number(value: str) -> None:
    records = _junk_used_weight_calls(value)
    assert [usage.from_server for usage in records[-1].buckets] == [False]


@pytest.mark.redis
def test_a_used_weight_too_long_for_a_counter_is_not_a_storage_failure(redis_uri: str) -> None:
    # Taken for a number, it could not be added to a Redis counter: the record said the storage failed.
    namespace = f"t-{uuid.uuid4().hex[:8]}"
    records = _junk_used_weight_calls("9" * 25, storage_uri=redis_uri, budget_namespace=namespace)
    assert [(record.storage_failed, record.buckets[0].from_server) for record in records] == [
        (False, False)
    ] * 2


@pytest.mark.redis
def test_no_one_takes_the_guard_while_a_keep_rewrites_its_key(redis_uri: str) -> None:
    namespace = f"t-{uuid.uuid4().hex[:8]}"
    keeper_budget, other_budget = (Budget(redis_uri, account="x", namespace=namespace) for _ in range(2))
    keeper, other = Cooldown(keeper_budget, "x"), Cooldown(other_budget, "x")
    now = time.time() * 1000
    interval_ms = RULE.interval_seconds * 1000
    earlier = keeper.claim(EXCHANGE, RULE, now - interval_ms - 10_000, 300)
    keeper.keep(earlier, now - interval_ms - 10_000)  # its 6 hours ended 10 s ago...
    store = redis.Redis.from_url(redis_uri)
    (stored,) = store.keys(f"*{namespace}/cooldown/{EXCHANGE.operation_id}/x")
    store.expire(stored, 30)  # ...and its key has half a minute left
    keeper_budget.local_values.clear()
    claim = keeper.claim(EXCHANGE, RULE, now, 300)
    refused: list[BaseException] = []
    storage = keeper_budget._storage  # the test steps in between two of the keep's storage operations
    clear = storage.clear

    def clear_then_claim(key: str) -> None:
        clear(key)
        if key.endswith(f"/cooldown/{EXCHANGE.operation_id}/x"):
            try:  # the other process claims while the key is gone and not yet written anew
                other.claim(EXCHANGE, RULE, now, 300)
            except BinanceCooldownError as error:
                refused.append(error)

    storage.clear = clear_then_claim  # type: ignore[method-assign]
    keeper.keep(claim, now)
    storage.clear = clear  # type: ignore[method-assign]
    assert len(refused) == 1, "the other process took the guard in the gap"
    assert other.next_allowed_ms(EXCHANGE) == int(now) + interval_ms  # and the keep went through


def test_a_thread_that_read_the_guard_before_anothers_keep_is_refused() -> None:
    budget = Budget("memory://", account="x")
    cooldown = Cooldown(budget, "x")
    now = time.time() * 1000
    first = cooldown.claim(EXCHANGE, RULE, now, 300)
    read = budget.get_value

    def keep_then_read(key: str) -> int:  # the first thread keeps between the second's two checks
        budget.get_value = read  # type: ignore[method-assign]
        cooldown.keep(first, now)
        return read(key)

    budget.get_value = keep_then_read  # type: ignore[method-assign]
    with pytest.raises(BinanceCooldownError, match="next one is allowed from"):
        cooldown.claim(EXCHANGE, RULE, now, 300)


def test_a_failed_time_sync_is_not_tried_twice_for_one_guarded_call(mock: RunningMock) -> None:
    time_path = API_FAMILIES[EXCHANGE.family].server_time.path
    mock.control.add_fault(kind="error", operation=time_path, count=1, status=500)
    with make_client(mock, time_sync=True) as client:
        client.exchange_small_liability(["BTC"])
    assert client.last_call is not None and client.last_call.requests == 2  # one sync, one exchange


@pytest.mark.redis
def test_an_account_named_like_another_accounts_ticket_keeps_its_own_guard(redis_uri: str) -> None:
    namespace = f"t-{uuid.uuid4().hex[:8]}"
    now = time.time() * 1000

    def cooldown(account: str) -> Cooldown:
        return Cooldown(Budget(redis_uri, account=account, namespace=namespace), account)

    plain, slashed = account_label("k", "a"), account_label("k", "a/claim")
    other = cooldown(slashed)
    other.keep(other.claim(EXCHANGE, RULE, now, 300), now)
    mine = cooldown(plain)
    mine.keep(mine.claim(EXCHANGE, RULE, now, 300), now)  # gives up `a`'s ticket: not `a/claim`'s guard
    assert cooldown(slashed).next_allowed_ms(EXCHANGE) == int(now) + RULE.interval_seconds * 1000


def test_a_ticket_that_may_have_expired_is_not_taken_from_whoever_holds_it_now() -> None:
    budget = Budget("memory://", account="x")
    cooldown = Cooldown(budget, "x")
    now = time.time() * 1000
    claim = cooldown.claim(EXCHANGE, RULE, now, 300)
    cooldown.release(attrs.evolve(claim, expires_at=time.time()))  # the call outlasted its ticket
    with pytest.raises(BinanceCooldownError, match="holds the guard"):
        cooldown.claim(EXCHANGE, RULE, now, 300)  # the ticket was left alone (it may be another's now)
    cooldown.release(claim)  # in time: handed back
    cooldown.release(cooldown.claim(EXCHANGE, RULE, now, 300))


def test_a_sentinel_storage_reads_from_the_master() -> None:
    # A replica's lag could hide a guard just written to the master.
    budget = Budget("redis+sentinel://127.0.0.1:1/mymaster", account="x")
    assert budget._storage.use_replicas is False  # type: ignore[union-attr]
