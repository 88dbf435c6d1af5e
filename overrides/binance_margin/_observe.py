"""Observability: a record per call (weight used and remaining per bucket), logging, and a metrics hook.

Logs go to the standard logger "binance_margin" (children: ".auth", ".client", ".budget"). They name
the method, the spec path, the status, Binance's code and the buckets; they never contain the query
string (timestamp, signature), the API key, a secret or a storage URI.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from typing import Final

import attrs

logger: Final = logging.getLogger("binance_margin")
# A library leaves output to the application: without this, Python's last-resort handler prints WARNINGs.
logger.addHandler(logging.NullHandler())


@attrs.frozen(slots=True)
class BucketUsage:
    """A weight bucket after a call: `used` of `limit` in the current window (`from_server`: the
    used-weight header said so; else the local, possibly shared, count)."""

    bucket: str
    rate_limit: str
    used: int
    limit: int
    from_server: bool

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@attrs.frozen(slots=True)
class CallRecord:
    """One call of an operation (or of a server-time endpoint), as the client saw it.

    `status` is None when no answer came (transport error). `outcome` is "ok", "error" (Binance
    answered with an error: nothing executed), "unknown" (may have executed) or "not-sent".
    `requests` counts the HTTP requests made (server-time syncs and the one -1021 retry included),
    `waited_seconds` the time spent waiting for weight budgets, `attempt` the client-level attempt.
    """

    operation: str
    method: str
    path: str
    family: str
    status: int | None
    code: int | None
    outcome: str
    weight: int
    buckets: tuple[BucketUsage, ...]
    attempt: int
    requests: int
    waited_seconds: float
    duration_ms: float
    time_offset_ms: float


@attrs.define(slots=True)
class CallState:
    """Per-call options and progress, shared by the client call path and the auth flow (a ContextVar)."""

    wait: bool = True
    max_wait: float | None = None
    attempt: int = 1
    sent: bool = False  # the operation's own request has gone out (a transport error may be "unknown")


current_call: Final[contextvars.ContextVar[CallState | None]] = contextvars.ContextVar(
    "binance_margin_call", default=None
)


class Observer:
    """Keeps the last record, logs each one, and hands it to the optional `on_call` hook."""

    def __init__(self, on_call: Callable[[CallRecord], object] | None) -> None:
        self.last_call: CallRecord | None = None
        self._on_call = on_call

    def emit(self, record: CallRecord) -> None:
        self.last_call = record
        level = logging.DEBUG if record.outcome == "ok" else logging.WARNING
        if logger.isEnabledFor(level):
            logger.log(
                level,
                "%s %s -> %s%s [%s] in %.1f ms, attempt %d, %d request(s), waited %.3f s; %s",
                record.method,
                record.path,
                record.status if record.status is not None else "no answer",
                f" code {record.code}" if record.code is not None else "",
                record.outcome,
                record.duration_ms,
                record.attempt,
                record.requests,
                record.waited_seconds,
                ", ".join(f"{u.bucket} {u.used}/{u.limit}" for u in record.buckets) or "no bucket",
            )
        if self._on_call is not None:
            try:
                self._on_call(record)
            except Exception as error:  # a broken metrics hook must not break the call
                logger.warning("on_call hook failed: %s", type(error).__name__)
