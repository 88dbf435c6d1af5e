"""Weight budgets: a bucket per (rate-limit family, IP or account, endpoint if per endpoint).

Binance counts request weight in fixed windows aligned to its own clock (the `*-1M` headers). The
budget mirrors that: a bucket's counter for window `n` lives under its own key in a counter store
(in-process `LocalCounters` for the default `memory://`; a `limits` storage such as Redis shares it
between processes and hosts) and is raised with the store's atomic `incr`. The window index comes
from the estimate of server time (see `_timesync`).

Near a window boundary the arrival window is uncertain (latency, clock error): a reservation closer
than `guard` to a boundary is counted in both adjacent windows, so no window can receive more than the
limit. The server is the truth: a used-weight header above the local count raises the local count, and
a 429 / 418 blocks the bucket / the family until Retry-After, for every process sharing the storage.

Every number (limits, intervals, header names, weights) comes from the generated spec metadata.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Final, TypeVar

import attrs
from binance_margin_api.spec_metadata import (
    API_FAMILIES,
    OPERATIONS,
    RATE_LIMITS,
    RateLimit,
)

from ._counters import LocalCounters
from ._errors import BinanceConfigError, BinanceStorageError

if TYPE_CHECKING:
    from limits.storage import Storage

T = TypeVar("T")

# A fact's key outlives the fact a little, so a clock difference between hosts cannot drop it early.
_SLACK_SECONDS: Final = 60
# A write ticket (see `raise_value`) is held for one read and one add; a holder that died frees it in 5 s.
_WRITE_TICKET_SECONDS: Final = 5
_WRITE_TRIES: Final = 300
_WRITE_PAUSE_SECONDS: Final = 0.02


@attrs.frozen(slots=True)
class Bucket:
    """One weight budget. `name` is what records and logs show (never a key or account secret)."""

    name: str
    rate_limit: RateLimit
    family: str
    limit: int
    window_ms: float
    key: str  # storage key prefix; the window index is appended
    block_key: str  # this bucket blocked until (server ms): 429
    ban_key: str  # the family banned until (server ms): 418
    header: str  # the used-weight header, lower-case (answers' headers are looked up so)
    guard_ms: float  # reservations closer than this to a window boundary count in both windows
    expiry: int  # storage expiry (s) of a window counter: only for cleanup, the key names its window


# Made on every call: not frozen (attrs' frozen __init__ costs about 3x), and never changed.
@attrs.define(slots=True)
class Reservation:
    bucket: Bucket
    window: int
    count: int  # the local count of `window` after this reservation


@attrs.frozen(slots=True)
class Wait:
    """The bucket cannot take the weight now: retry after `seconds`; `reason` says why."""

    seconds: float
    reason: str


def key_part(name: str) -> str:
    """A caller's name as one part of a storage key: with "/" escaped, an account named `a/claim` cannot
    be account `a`'s guard ticket."""
    return name.replace("%", "%25").replace("/", "%2F")


def account_label(api_key: str, account: str | None) -> str:
    """The account part of shared keys: the configured name, else a hash of the API key (never the key)."""
    return key_part(account) if account else "key-" + hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:16]


def _shared_storage(storage_uri: str, scheme: str) -> Storage:
    """The `limits` storage of a URI; what its operations raise when they fail is its `base_exceptions`."""
    # Imported here, not at module level: `limits.storage` loads every backend (~11 ms of import time).
    from limits.errors import ConfigurationError
    from limits.storage import Storage, storage_from_string

    # Sentinel: read from the master, as everything is written there (a replica's lag could hide the guard).
    options = {"use_replicas": False} if scheme.startswith("redis+sentinel") else {}
    try:
        storage = storage_from_string(storage_uri, **options)
    except (ConfigurationError, ValueError) as error:
        # The library's message may quote the URI (and a password in it): keep only the kind.
        raise BinanceConfigError(
            f"unusable weight budget storage {scheme!r}: {type(error).__name__} (unknown scheme, "
            "missing driver, or malformed URI)"
        ) from None
    except Exception as error:  # a driver that connects at once (a Redis cluster) and cannot
        raise BinanceConfigError(
            f"weight budget storage {scheme!r} cannot be reached: {type(error).__name__}"
        ) from None
    if not isinstance(storage, Storage):
        raise BinanceConfigError(f"weight budget storage {scheme!r} is async-only; use a sync URI")
    return storage


def _top_up(storage: Storage | LocalCounters, key: str, expiry: int, value: int) -> int:
    """Add to the counter at `key` what it lacks to reach `value`; return what it held."""
    held = storage.get(key)
    if value > held:
        storage.incr(key, expiry, value - held)
    return held


def _raise_fact(storage: Storage, key: str, value: int, lasting_seconds: float) -> None:
    """Raise the counter at `key` to `value`, to last `lasting_seconds` more at least. A `limits` counter
    keeps the expiry it was created with (`incr` sets it only then), so one that would expire sooner is
    made anew. Meanwhile (one round trip) another process reads no fact: for the 6-hour guard the keeper
    still holds the claim ticket, so no one else can take the guard; a 429 block may let one request of
    another process through (and its own 429 blocks it)."""
    held = storage.get(key)
    if value <= held:
        return
    if held and storage.get_expiry(key) - time.time() < lasting_seconds:
        storage.clear(key)
        held = 0
    storage.incr(key, math.ceil(lasting_seconds) + _SLACK_SECONDS, value - held)


class Budget:
    """The weight buckets of one client (and of every process sharing its storage)."""

    def __init__(
        self,
        storage_uri: str,
        *,
        account: str,
        namespace: str = "binance_margin",
        ip_label: str = "ip",
        window_seconds: float | None = None,
        guard: float | None = None,
    ) -> None:
        scheme = storage_uri.partition(":")[0]
        # memory:// is private to this process: counters without limits' expiry thread (_counters.py).
        # Anything else is a shared `limits` storage.
        self.shared = scheme != "memory"
        self._storage: Storage | LocalCounters = (
            _shared_storage(storage_uri, scheme) if self.shared else LocalCounters()
        )
        self.scheme = scheme
        self.namespace = namespace
        space, ip_label = key_part(namespace), key_part(ip_label)
        self.key_space = space  # the keys' first part
        # Facts kept in this process whatever the storage says (429/418 blocks and the 6-hour guard, after
        # a storage failure too): server ms, by storage key.
        self.local_values: dict[str, float] = {}
        self._buckets: dict[str, Bucket] = {}
        # A bucket per operation and per family's server-time endpoint, keyed by its route.
        routes = [(op.operation_id, op.rate_limit, op.family) for op in OPERATIONS.values()]
        routes += [(f"time:{name}", api.server_time.rate_limit, name) for name, api in API_FAMILIES.items()]
        for route, rate_limit_name, family in routes:
            rate_limit = RATE_LIMITS[rate_limit_name]
            who = account if rate_limit.counted_by == "UID" else ip_label
            endpoint = route if rate_limit.scope == "endpoint" else "*"
            seconds = window_seconds or rate_limit.interval_seconds
            self._buckets[route] = Bucket(
                name=rate_limit.name if endpoint == "*" else f"{rate_limit.name}/{endpoint}",
                rate_limit=rate_limit,
                family=family,
                limit=rate_limit.limit,
                window_ms=seconds * 1000,
                key=f"{space}/w/{rate_limit.name}/{who}/{endpoint}/",
                block_key=f"{space}/block/{rate_limit.name}/{who}/{endpoint}",
                ban_key=f"{space}/ban/{family}/{ip_label}",
                header=rate_limit.used_weight_header.lower(),
                # The default boundary guard: 1/50 of the window, at most 250 ms.
                guard_ms=(min(0.25, seconds / 50) if guard is None else guard) * 1000,
                expiry=math.ceil(2 * seconds) + 1,
            )

    # -- lookups --------------------------------------------------------------------------------------------

    def for_operation(self, operation_id: str) -> Bucket:
        return self._buckets[operation_id]

    def for_time(self, family: str) -> Bucket:
        return self._buckets[f"time:{family}"]

    # -- storage access (wrapped: a broken storage is a clear error, never a URI with a password) ----------

    def _io(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except self._storage.base_exceptions as error:  # the storage's driver errors (none for local)
            raise BinanceStorageError(
                f"weight budget storage ({self.scheme}) failed: {type(error).__name__}"
            ) from None

    # -- reserving ------------------------------------------------------------------------------------------

    def blocked_until(self, bucket: Bucket) -> float:
        """Server ms until which a 429 (this bucket) or a 418 (its family) forbids sending; 0 if none."""
        local = max(self.local_values.get(bucket.block_key, 0.0), self.local_values.get(bucket.ban_key, 0.0))
        if not self.shared:
            return local
        storage = self._storage
        shared = self._io(lambda: max(storage.get(bucket.block_key), storage.get(bucket.ban_key)))
        return max(local, float(shared))

    def reserve(self, bucket: Bucket, weight: int, now_ms: float) -> Reservation | Wait:
        """Take `weight` from `bucket` at server time `now_ms`, or say how long to wait."""
        until = self.blocked_until(bucket)
        if until > now_ms:
            return Wait((until - now_ms) / 1000, f"{bucket.name} is blocked by the server (429/418)")
        window_ms = bucket.window_ms
        guard = bucket.guard_ms
        window = int(now_ms // window_ms)
        offset = now_ms - window * window_ms
        # The windows the request may arrive in: its own, and a neighbour closer than the guard.
        first = window - 1 if offset < guard else window
        last = window + 1 if window_ms - offset < guard else window
        expiry = bucket.expiry
        incr = self._storage.incr
        count = 0
        # Oldest first: the one most likely full refuses before others are charged.
        for index in range(first, last + 1):
            key = bucket.key + str(index)
            # Private counters cannot fail: no wrapper around them.
            counted = (
                self._io(partial(incr, key, expiry, weight)) if self.shared else incr(key, expiry, weight)
            )
            if counted > bucket.limit:
                free_at = (index + 1) * window_ms + guard
                return Wait(max(0.0, free_at - now_ms) / 1000, f"{bucket.name} weight budget is used up")
            if index == window:
                count = counted
        return Reservation(bucket, window, count)

    # -- what the server says -------------------------------------------------------------------------------

    def observe(self, reservation: Reservation, server_used: int | None) -> int:
        """Apply a used-weight header; return the bucket's used weight as best known."""
        if server_used is None or server_used <= reservation.count:
            return reservation.count
        bucket = reservation.bucket
        key = bucket.key + str(reservation.window)
        return max(self._io(partial(_top_up, self._storage, key, bucket.expiry, server_used)), server_used)

    def used(self, bucket: Bucket, now_ms: float) -> int:
        return self._io(partial(self._storage.get, bucket.key + str(int(now_ms // bucket.window_ms))))

    def block(self, bucket: Bucket, until_ms: float, now_ms: float, *, family_wide: bool) -> None:
        """Forbid sending on `bucket` (429) or on its whole family (418) until server time `until_ms`."""
        key = bucket.ban_key if family_wide else bucket.block_key
        self.raise_value(key, until_ms, (until_ms - now_ms) / 1000)

    # -- small facts (429/418 blocks, the 6-hour guard) ------------------------------------------------------

    def get_value(self, key: str) -> int:
        return self._io(partial(self._storage.get, key))

    def take_ticket(self, key: str, expiry_seconds: int) -> int:
        """Atomically count one more taker of `key` (expiring `expiry_seconds` after the first): the
        taker that gets 1 is the only one, in every process sharing the storage."""
        return self._io(partial(self._storage.incr, key, expiry_seconds, 1))

    def forget(self, key: str) -> None:
        self._io(partial(self._storage.clear, key))

    def raise_value(self, key: str, value: float, lasting_seconds: float) -> None:
        """Raise the fact at `key` to at least `value`, kept `lasting_seconds` from now: in this process
        first (so it holds here even if the storage fails; with private storage that is all there is),
        then the shared counter at `key` to at least `value` rounded up. A counter can only be added to,
        so reading it and adding the difference is done holding a write ticket on the key: two such adds
        at once (two processes answered 429 together) would sum to twice the value."""
        self._keep_locally(key, value)
        if not self.shared:
            return
        storage = self._storage
        assert not isinstance(storage, LocalCounters)
        ticket = key + "/write"
        for _ in range(_WRITE_TRIES):
            if self.take_ticket(ticket, _WRITE_TICKET_SECONDS) == 1:
                try:
                    self._io(partial(_raise_fact, storage, key, math.ceil(value), lasting_seconds))
                finally:
                    self.forget(ticket)
                return
            time.sleep(_WRITE_PAUSE_SECONDS)  # another writer holds the ticket for a few milliseconds
        raise BinanceStorageError(
            f"weight budget storage ({self.scheme}): a shared value stayed locked by another writer"
        )

    def _keep_locally(self, key: str, value: float) -> None:
        self.local_values[key] = max(self.local_values.get(key, 0.0), value)

    def clear(self) -> None:
        """Forget every counter, block and guard of this namespace in local memory (and every counter of
        private memory storage): a fresh start for this process."""
        self.local_values.clear()
        if not self.shared:
            self._storage.reset()

    def __repr__(self) -> str:
        return f"Budget(storage={self.scheme!r}, shared={self.shared}, namespace={self.namespace!r})"
