"""The once-per-interval guard ("Only convert once within 6 hours"), per account, in the budget's storage.

When it is armed: after a success, and (conservatively) after an answer whose outcome is unknown (a 5xx
that may have executed, a timeout or dropped connection after sending): the exchange may have happened,
and a second one inside the interval would be refused by Binance at best. It is not armed by an answer
that proves nothing was executed (4xx, 429/418, FAPI's "not executed" 503s, connection refused).

The stored value is the server time (ms) from which the call is allowed again; processes sharing the
storage (Redis) share the guard. Times are server times (see `_timesync`).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from binance_margin_api.spec_metadata import OPERATIONS, OncePerInterval, Operation

from ._budget import Budget
from ._errors import BinanceCooldownError

_RULES: Final[dict[str, OncePerInterval]] = {
    operation.operation_id: rule
    for operation in OPERATIONS.values()
    for rule in operation.rules
    if isinstance(rule, OncePerInterval)
}


def once_rule(operation: Operation) -> OncePerInterval | None:
    return _RULES.get(operation.operation_id)


def _utc(ms: float) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(seconds: float) -> str:
    whole = max(0, int(seconds + 0.999))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s"


class Cooldown:
    """Checks and arms the once-per-interval rules of the spec for one account."""

    def __init__(self, budget: Budget, account: str) -> None:
        self._budget = budget
        self._account = account

    def _key(self, operation: Operation) -> str:
        return f"{self._budget.namespace}/cooldown/{operation.operation_id}/{self._account}"

    def next_allowed_ms(self, operation: Operation) -> int:
        """Server ms from which `operation` is allowed again (0: allowed)."""
        return self._budget.get_value(self._key(operation))

    def check(self, operation: Operation, rule: OncePerInterval, now_ms: float) -> None:
        allowed = self.next_allowed_ms(operation)
        if allowed > now_ms:
            wait = (allowed - now_ms) / 1000
            last = allowed - rule.interval_seconds * 1000
            raise BinanceCooldownError(
                f"{operation.operation_id}: {rule.doc}: this account's last exchange (or an attempt whose "
                f"outcome is unknown) was at {_utc(last)}; the next one is allowed from {_utc(allowed)} "
                f"(in {_duration(wait)}); nothing was sent",
                retry_after=wait,
                next_allowed_ms=allowed,
            )

    def arm(self, operation: Operation, rule: OncePerInterval, now_ms: float) -> int:
        """Forbid `operation` for the rule's interval from server time `now_ms`; return the end (ms)."""
        allowed = int(now_ms) + rule.interval_seconds * 1000
        self._budget.raise_value(self._key(operation), allowed, rule.interval_seconds + 60)
        return allowed
