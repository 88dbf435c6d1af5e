"""Budgets and the 6-hour guard shared through a real redis-server, across clients and processes."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest
import redis
from binance_margin import BinanceCooldownError, BinanceWaitRefused
from binance_margin_api.spec_metadata import OPERATIONS, RATE_LIMITS

from bench.saturation import spawn_workers
from tests._mock_server import RunningMock

from .conftest import MOCK_CREDENTIALS, MockLinkedClock, make_client

pytestmark = pytest.mark.redis

COINS = OPERATIONS["getSmallLiabilityExchangeCoinList"]
LIMIT = RATE_LIMITS[COINS.rate_limit]
PER_WINDOW = LIMIT.limit // COINS.weight  # coin-list calls the server allows per window and IP
WINDOW = 2


def _hammer(
    mock: RunningMock, storage_uri: str, window: float, seconds: float, **limits: Any
) -> list[dict[str, int]]:
    # The saturation benchmark's own workers: the test checks the code the benchmark's numbers come from.
    # They start behind a barrier: the load window begins when all three run, however long they took to
    # start (seconds, on a busy machine).
    namespace = f"hammer-{uuid.uuid4().hex[:8]}"
    return spawn_workers(mock.base_url, storage_uri, namespace, window, seconds, 3, **limits)


@pytest.mark.parametrize("scenario", [{"window_seconds": WINDOW}], indirect=True)
def test_processes_sharing_a_redis_budget_get_no_429(mock: RunningMock, redis_uri: str) -> None:
    seconds = 2.5 * WINDOW
    results = _hammer(mock, redis_uri, WINDOW, seconds)
    assert sum(r["429"] + r["418"] for r in results) == 0, results
    calls = sum(r["ok"] for r in results)
    windows = math.ceil(seconds / WINDOW) + 1
    assert PER_WINDOW <= calls <= PER_WINDOW * windows, results  # saturating, never above the limit
    # Every call the workers made reached the mock, and nothing else did (no hidden resends).
    assert mock.control.request_count(COINS.operation_id) == calls


LONG_WINDOW = 3600  # seconds: no server window ends while the test runs (and the verdict needs none to)


@pytest.mark.parametrize(
    "scenario", [{"window_seconds": LONG_WINDOW, "ban_after_violations": 0}], indirect=True
)
def test_processes_with_private_budgets_do_get_429(mock: RunningMock) -> None:
    # The control: the same load with unshared (memory) budgets overruns the server's limit. Judged by
    # what the workers did, not by how fast: each may make one window's worth of calls (its private
    # budget allows all of them at once) within one long window, so together they try 3 x PER_WINDOW
    # calls where the server allows PER_WINDOW. A worker learns the bucket is full only from an answer
    # (a used-weight header or a 429): the others' next calls overrun it. After its first refusal a
    # worker stops (max_wait=0) instead of waiting for the window to end.
    results = _hammer(mock, "memory://", LONG_WINDOW, 300, max_calls=PER_WINDOW, max_wait=0)
    reached = mock.control.request_count(COINS.operation_id)
    assert sum(r["429"] for r in results) > 0, (results, reached)
    assert reached == sum(r["ok"] + r["429"] for r in results), (results, reached)
    assert sum(r["ok"] for r in results) == PER_WINDOW, (results, reached)  # the server held its limit


def test_a_429_in_one_client_blocks_the_bucket_for_another(mock: RunningMock, redis_uri: str) -> None:
    namespace = f"t-{uuid.uuid4().hex[:8]}"
    mock.control.add_fault(kind="rate_limit", operation=COINS.operation_id, count=1, retry_after=30)
    first = make_client(mock, storage_uri=redis_uri, budget_namespace=namespace)
    second = make_client(mock, storage_uri=redis_uri, budget_namespace=namespace, wait=False)
    with pytest.raises(Exception, match="429"):
        first.coin_list()
    with pytest.raises(BinanceWaitRefused) as refused:
        second.coin_list()
    assert 28 <= refused.value.retry_after <= 31


def test_the_six_hour_guard_is_shared_per_account(
    mock: RunningMock, clock: MockLinkedClock, redis_uri: str
) -> None:
    namespace = f"t-{uuid.uuid4().hex[:8]}"
    first = make_client(mock, clock=clock, storage_uri=redis_uri, budget_namespace=namespace)
    second = make_client(mock, clock=clock, storage_uri=redis_uri, budget_namespace=namespace)
    from .conftest import MOCK_CREDENTIALS_2

    other_account = make_client(
        mock, clock=clock, storage_uri=redis_uri, budget_namespace=namespace, credentials=MOCK_CREDENTIALS_2
    )
    first.exchange_small_liability(["BTC"])
    with pytest.raises(BinanceCooldownError):
        second.exchange_small_liability(["ETH"])
    other_account.exchange_small_liability(["DOGE"])  # another account: its own guard
    found: list[bytes] = redis.Redis.from_url(redis_uri).keys(f"*{namespace}*")  # type: ignore[assignment]
    keys = [key.decode() for key in found]
    assert keys and not any(MOCK_CREDENTIALS.api_key in key for key in keys)
    assert any("/cooldown/smallLiabilityExchange/key-" in key for key in keys)
