"""LocalCounters: the counters of a private budget behave like `limits`' MemoryStorage, without its
expiry thread."""

from __future__ import annotations

import threading
import time

from binance_margin._budget import Budget
from binance_margin._counters import LocalCounters
from hypothesis import given, settings
from hypothesis import strategies as st
from limits.storage import MemoryStorage


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


_keys = st.sampled_from(["w/1", "w/2", "block", "guard"])
_operations = st.lists(
    st.one_of(
        st.tuples(st.just("incr"), _keys, st.integers(1, 3), st.integers(1, 3000)),
        st.tuples(st.just("get"), _keys),
        st.tuples(st.just("advance"), st.sampled_from([0.1, 0.9, 1.0, 2.5, 10.0])),
    ),
    max_size=40,
)


@settings(max_examples=300, database=None)
@given(_operations)
def test_counts_and_expiries_follow_a_plain_model(operations: list[tuple[object, ...]]) -> None:
    clock = _Clock()
    counters = LocalCounters(clock)
    model: dict[str, tuple[int, float]] = {}  # key -> (value, expires at)
    for operation in operations:
        if operation[0] == "advance":
            clock.now += float(operation[1])  # type: ignore[arg-type]
            continue
        key = str(operation[1])
        value, expires = model.get(key, (0, 0.0))
        live = expires > clock.now
        if operation[0] == "incr":
            expiry, amount = int(operation[2]), int(operation[3])  # type: ignore[call-overload]
            model[key] = (value + amount, expires) if live else (amount, clock.now + expiry)
            assert counters.incr(key, expiry, amount) == model[key][0]
        else:
            assert counters.get(key) == (value if live else 0)
    assert sorted(counters.live_keys()) == sorted(k for k, (_, at) in model.items() if at > clock.now)


@settings(max_examples=100, database=None)
@given(st.lists(st.tuples(_keys, st.integers(1, 3000)), max_size=30))
def test_incr_get_and_reset_answer_as_limits_memory_storage_does(steps: list[tuple[str, int]]) -> None:
    ours, theirs = LocalCounters(), MemoryStorage()
    for key, amount in steps:
        assert ours.incr(key, 60, amount) == theirs.incr(key, 60, amount)
        assert ours.get(key) == theirs.get(key)
    assert ours.get("never") == theirs.get("never") == 0
    ours.reset()
    theirs.reset()
    assert [ours.get(key) for key, _ in steps] == [theirs.get(key) for key, _ in steps]


def test_the_sweep_frees_expired_keys_and_only_those() -> None:
    clock = _Clock()
    counters = LocalCounters(clock)
    for window in range(100):
        counters.incr(f"w/{window}", 2, 1)
    counters.incr("guard", 21600, 1)
    clock.now += 5.0
    counters.incr("w/100", 2, 1)  # a write after the sweep interval sweeps
    assert sorted(counters._values) == ["guard", "w/100"]
    assert counters.get("guard") == 1


def test_concurrent_increments_are_all_counted() -> None:
    counters = LocalCounters()
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(2000):
            counters.incr("w/1", 60, 3)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counters.get("w/1") == 8 * 2000 * 3


def test_a_private_budget_starts_no_thread() -> None:
    # Calls 15 ms apart: limits' MemoryStorage would start an expiry thread on each of them.
    budget = Budget("memory://", account="a")
    bucket = budget.for_operation("getSmallLiabilityExchangeCoinList")
    time.sleep(0.015)
    before = threading.active_count()
    for index in range(5):
        time.sleep(0.015)
        budget.reserve(bucket, 1, 1_767_225_600_000.0 + index * 15)
        assert threading.active_count() == before
    assert not budget.shared
