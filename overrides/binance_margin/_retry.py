"""When a failed call may be sent again, and how long to wait first (capped exponential, full jitter).

- GET (reads, no effect): retried on connection errors and 5xx.
- POST: never resent when its outcome is unknown (a 5xx that may have executed, a timeout or dropped
  connection after sending). Resent only when it provably did not execute (connection refused or
  connect timeout, FAPI 503 "Service Unavailable." / "Internal error…") AND the caller opted in.
- 4xx, 429 and 418 are never retried here (the budget makes later calls wait for a 429/418 instead).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import attrs

from ._options import integer, number


def _checked(check: Callable[..., object], **bounds: Any) -> Callable[[Any, Any, object], None]:
    """An attrs validator that raises BinanceConfigError, as every option check does."""

    def validator(_: object, field: attrs.Attribute[Any], value: object) -> None:
        check(f"RetryPolicy.{field.name}", value, **bounds)

    return validator


@attrs.frozen
class RetryPolicy:
    """`attempts` in all (1: no retry); the n-th retry waits uniform(0, min(cap, base * 2**(n-1))) s."""

    attempts: int = attrs.field(default=3, validator=_checked(integer, low=1))
    base: float = attrs.field(default=0.25, validator=_checked(number))
    cap: float = attrs.field(default=4.0, validator=_checked(number))

    def delay(self, retry: int, rng: random.Random) -> float:
        """Seconds to wait before retry number `retry` (1-based)."""
        return rng.uniform(0.0, min(self.cap, self.base * 2 ** (retry - 1)))


def may_retry(method: str, outcome_unknown: bool, *, retry_not_executed_posts: bool) -> bool:
    """Whether a call that failed on the wire or with a 5xx (`outcome_unknown` as its error says) may be
    sent again."""
    return method == "GET" or (retry_not_executed_posts and not outcome_unknown)
