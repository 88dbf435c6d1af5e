"""When a failed call may be sent again, and how long to wait first (capped exponential, full jitter).

- GET (reads, no effect): retried on connection errors and 5xx.
- POST: never resent when its outcome is unknown (a 5xx that may have executed, a timeout or dropped
  connection after sending). Resent only when it provably did not execute (connection refused or
  connect timeout, FAPI 503 "Service Unavailable." / "Internal error…") AND the caller opted in.
- 4xx, 429 and 418 are never retried here (the budget makes later calls wait for a 429/418 instead).
"""

from __future__ import annotations

import random

import attrs


@attrs.frozen
class RetryPolicy:
    """`attempts` in all (1: no retry); the n-th retry waits uniform(0, min(cap, base * 2**(n-1))) s."""

    attempts: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    base: float = attrs.field(default=0.25, validator=attrs.validators.ge(0))
    cap: float = attrs.field(default=4.0, validator=attrs.validators.ge(0))

    def delay(self, retry: int, rng: random.Random) -> float:
        """Seconds to wait before retry number `retry` (1-based)."""
        return rng.uniform(0.0, min(self.cap, self.base * 2 ** (retry - 1)))


def may_retry(method: str, outcome_unknown: bool, *, retry_not_executed_posts: bool) -> bool:
    """Whether a call that failed on the wire or with a 5xx (`outcome_unknown` as its error says) may be
    sent again."""
    return method == "GET" or (retry_not_executed_posts and not outcome_unknown)
