"""Observability: a record per call (weight used and remaining per bucket), logging, and a metrics hook.

Logs go to the standard logger "binance_margin" (children: ".engine", ".client"). They name
the method, the spec path, the status, Binance's code and the buckets; they never contain the query
string (timestamp, signature), the API key, a secret or a storage URI. Each call's log line carries its
`CallRecord` as the log record's `call_record` attribute, for structured logging.
"""

from __future__ import annotations

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
    """One call of an operation, as the client saw it: every call that reaches the engine makes exactly
    one, whichever way it came in (BinanceClient, the generated functions, the CLI).

    `status` is None when no answer came (transport error, or refused before sending). `outcome` is "ok"
    (the success answer came, even if the call was interrupted after it), "error" (nothing executed:
    Binance answered with an error, or a GET failed), "unknown" (a POST that may have executed) or
    "not-sent" (refused before sending, or the connection was never made). `error` is the name of the
    exception the call raised (None on success). `requests` counts the HTTP
    requests made (server-time syncs and the one -1021 resend included), `waited_seconds` the time spent
    waiting for weight budgets, `attempt` the attempts made (retries of GETs included).
    `storage_failed` is True when the shared budget storage failed after the request was sent (the
    answer is still the call's answer, and the 6-hour guard is then kept in this process only), or
    while the guard was handed back (its ticket then expires on its own).
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
    error: str | None = None
    storage_failed: bool = False


class Observer:
    """Keeps the last record, logs each one, and hands it to the optional `on_call` hook.

    A record nobody takes (no hook, its log level off) is built only if `last_call` is read.
    """

    def __init__(self, on_call: Callable[[CallRecord], object] | None) -> None:
        self._last: CallRecord | Callable[[], CallRecord] | None = None
        self._on_call = on_call

    @property
    def last_call(self) -> CallRecord | None:
        last = self._last  # read once: another thread's call may replace it meanwhile
        if callable(last):  # not built yet
            last = self._last = last()
        return last

    def emit(self, outcome: str, build: Callable[[], CallRecord]) -> None:
        """A call ended with `outcome`; `build()` makes its record (from values taken when it ended)."""
        level = logging.DEBUG if outcome == "ok" else logging.WARNING
        if self._on_call is None and not logger.isEnabledFor(level):
            self._last = build
            return
        record = build()
        self._last = record
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
                extra={"call_record": record},
            )
        if self._on_call is not None:
            try:
                self._on_call(record)
            except Exception as error:  # a broken metrics hook must not break the call
                logger.warning("on_call hook failed: %s", type(error).__name__)
