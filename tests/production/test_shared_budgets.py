"""Budgets and the 6-hour guard shared through a real redis-server, across clients and processes."""

from __future__ import annotations

import math
import time
import uuid

import pytest
import redis
from binance_margin import BinanceCooldownError, BinanceWaitRefused
from binance_margin_api.spec_metadata import OPERATIONS, RATE_LIMITS

from bench.saturation import spawn_workers
from tests._mock_server import RunningMock

from .conftest import MOCK_CREDENTIALS, MockLinkedClock, make_client

pytestmark = pytest.mark.redis

COINS = OPERATIONS["getSmallLiabilityExchangeCoinList"]
WINDOW = 2


def _hammer(mock: RunningMock, storage_uri: str, processes: int, seconds: float) -> list[dict[str, int]]:
    # The saturation benchmark's own workers: the test checks the code the benchmark's numbers come from.
    namespace = f"hammer-{uuid.uuid4().hex[:8]}"
    now = time.time()
    return spawn_workers(mock.base_url, storage_uri, namespace, WINDOW, now, now + seconds, processes)


@pytest.mark.parametrize("scenario", [{"window_seconds": WINDOW}], indirect=True)
def test_processes_sharing_a_redis_budget_get_no_429(mock: RunningMock, redis_uri: str) -> None:
    seconds = 2.5 * WINDOW
    results = _hammer(mock, redis_uri, 3, seconds)
    assert sum(r["429"] + r["418"] for r in results) == 0, results
    per_window = RATE_LIMITS[COINS.rate_limit].limit // COINS.weight
    calls = sum(r["ok"] for r in results)
    windows = math.ceil(seconds / WINDOW) + 1
    assert per_window <= calls <= per_window * windows, results  # saturating, never above the limit


@pytest.mark.parametrize("scenario", [{"window_seconds": WINDOW, "ban_after_violations": 0}], indirect=True)
def test_processes_with_private_budgets_do_get_429(mock: RunningMock) -> None:
    # The control: the same load with unshared (memory) budgets overruns the server's limit.
    results = _hammer(mock, "memory://", 3, 1.5)
    assert sum(r["429"] for r in results) > 0, results


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
