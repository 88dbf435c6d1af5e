"""Request-weight accounting per bucket (fixed windows, as Binance's *-1M counters) and IP bans."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Hashable, Mapping

from binance_margin_api.spec_metadata import IP_BANS, RateLimit

_MAX_BAN_MS = IP_BANS.longest_seconds * 1000  # Binance's longest IP ban (the spec's x-binance-ip-bans)


@dataclasses.dataclass(frozen=True, slots=True)
class Charge:
    used: int
    retry_after: int  # seconds until the window resets; 0 when within the limit


class WeightBook:
    """Used weight per bucket key in the current window of its rate-limit family."""

    def __init__(self, limits: Mapping[str, RateLimit], window_seconds: float | None) -> None:
        self._window_ms = {
            name: max(1, round((window_seconds or limit.interval_seconds) * 1000))
            for name, limit in limits.items()
        }
        self._limits = limits
        self._buckets: dict[Hashable, list[int]] = {}  # key -> [window index, used]
        self._lock = threading.Lock()

    def window_ms(self, rate_limit: str) -> int:
        return self._window_ms[rate_limit]

    def charge(self, rate_limit: str, key: Hashable, weight: int, now_ms: int) -> Charge:
        window_ms = self._window_ms[rate_limit]
        window = now_ms // window_ms
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None or bucket[0] != window:
                bucket = self._buckets[key] = [window, 0]
            bucket[1] += weight
            used = bucket[1]
        if used <= self._limits[rate_limit].limit:
            return Charge(used, 0)
        return Charge(used, -(-((window + 1) * window_ms - now_ms) // 1000))

    def used(self, rate_limit: str, key: Hashable, now_ms: int) -> int:
        bucket = self._buckets.get(key)
        window = now_ms // self._window_ms[rate_limit]
        return bucket[1] if bucket is not None and bucket[0] == window else 0

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


class BanBook:
    """Repeat offenders: `after` 429s in a row earn a ban that doubles each time, up to the longest."""

    def __init__(self, after: int, ban_seconds: float) -> None:
        self._after = after
        self._ban_ms = round(ban_seconds * 1000)
        self._strikes: dict[Hashable, int] = {}
        self._bans: dict[Hashable, int] = {}  # key -> banned until (ms)
        self._ban_count: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def banned_until(self, key: Hashable, now_ms: int) -> int | None:
        until = self._bans.get(key)
        return until if until is not None and until > now_ms else None

    def strike(self, key: Hashable, now_ms: int) -> int | None:
        """Record a 429; the ban end (ms) when this one earns a ban."""
        if self._after <= 0:
            return None
        with self._lock:
            strikes = self._strikes.get(key, 0) + 1
            if strikes < self._after:
                self._strikes[key] = strikes
                return None
            self._strikes[key] = 0
            count = self._ban_count.get(key, 0)
            self._ban_count[key] = count + 1
            until = now_ms + min(self._ban_ms << count, _MAX_BAN_MS)
            self._bans[key] = until
            return until

    def ban(self, key: Hashable, until_ms: int) -> None:
        with self._lock:
            self._bans[key] = until_ms

    def forgive(self, key: Hashable) -> None:
        """A request within the limit ends a run of 429s."""
        if key in self._strikes:
            with self._lock:
                self._strikes.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._strikes.clear()
            self._bans.clear()
            self._ban_count.clear()
