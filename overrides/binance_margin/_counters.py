"""The counters of a private (`memory://`) weight budget: in this process, with no thread and no network.

`limits`' own MemoryStorage expires its keys from a `threading.Timer` that it starts again whenever a
counter changes after the previous timer has run (10 ms after it started). A client whose calls are more
than 10 ms apart starts an OS thread on every call; one that makes many calls hands the GIL to such a
thread every 10 ms. BENCHMARKS.md measures the cost: ~25 µs of CPU per call in the async fan-out. A
budget's counters need no timer: every key names its window, so a counter past its expiry is never
counted again and expiry only frees memory. Here expiry is checked when a key is read, and a sweep
drops all expired keys at most once a second.

Shared storages (Redis, memcached, ...) stay `limits` storages: `LocalCounters` has the same semantics
for the part of their interface a `Budget` uses (`incr`, `get`, `reset`, `clear`, `base_exceptions`).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Final

__all__ = ["LocalCounters"]

_SWEEP_SECONDS: Final = 1.0
# What a missing key reads as: no count, expired since ever.
_EXPIRED: Final = (0, -math.inf)


class LocalCounters:
    """Thread-safe in-process counters with `limits`' MemoryStorage semantics (incr, get, reset, clear):
    a counter's expiry is set when it is created (and restarts when an expired one is raised again)."""

    # What the operations raise when the storage fails, as `limits.storage.Storage.base_exceptions`: none.
    base_exceptions: Final = ()

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._values: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)
        self._next_sweep = 0.0

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the counter at `key` and return it; a new counter expires after `expiry` s."""
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep:  # drop the expired counters, at most once a second
                self._values = {name: entry for name, entry in self._values.items() if entry[1] > now}
                self._next_sweep = now + _SWEEP_SECONDS
            value, expires = self._values.get(key, _EXPIRED)
            if expires <= now:
                value, expires = 0, now + expiry
            value += amount
            self._values[key] = (value, expires)
            return value

    def get(self, key: str) -> int:
        """The counter at `key`, 0 if there is none or it expired."""
        # One read of one entry (count and expiry together): no lock needed.
        value, expires = self._values.get(key, _EXPIRED)
        return value if expires > self._clock() else 0

    def reset(self) -> None:
        with self._lock:
            self._values.clear()

    def clear(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)

    def live_keys(self) -> list[str]:
        """The keys of the live counters (for inspection and tests)."""
        now = self._clock()
        with self._lock:
            return [key for key, (_, expires) in self._values.items() if expires > now]
