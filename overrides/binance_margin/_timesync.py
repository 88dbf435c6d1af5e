"""Clocks: the local one (injectable, so tests never sleep for real) and the estimate of Binance's.

`ServerClock` keeps one offset per API family: `offset = serverTime - midpoint(send, receive)`, measured
with the family's server-time endpoint (round-trip correction). It is used for request timestamps, for
the rate-limit windows and for the 6-hour guard, so all three follow the server, not the local clock.
"""

from __future__ import annotations

import time
from typing import Protocol

from binance_margin_api.spec_metadata import API_FAMILIES


class Clock(Protocol):
    """Local time and sleeping. `SystemClock` is the real one; tests pass a fake one."""

    def wall_ms(self) -> float:
        """Milliseconds since the epoch (float, sub-ms resolution)."""

    def sleep(self, seconds: float) -> None: ...

    async def asleep(self, seconds: float) -> None: ...


class SystemClock:
    """The machine's clock; sleeps for real."""

    def wall_ms(self) -> float:
        return time.time_ns() / 1_000_000

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    async def asleep(self, seconds: float) -> None:
        import anyio  # sleeps on any event loop (asyncio, trio); only async callers pay for its import

        await anyio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


class ServerClock:
    """Binance's time per API family, estimated from the local clock and a measured offset.

    With `enabled`, an offset older than `interval` seconds is due for a refresh before the next signed
    request; without it the offset is only measured after a -1021 answer (and then kept).
    """

    def __init__(self, clock: Clock, *, enabled: bool, interval: float) -> None:
        self.clock = clock
        self.enabled = enabled
        self.interval_ms = interval * 1000
        self._offset: dict[str, float] = dict.fromkeys(API_FAMILIES, 0.0)
        # Local ms of each family's last measurement; never measured: long ago, so due at once.
        self._synced_at: dict[str, float] = dict.fromkeys(API_FAMILIES, float("-inf"))

    def now_ms(self, family: str) -> float:
        return self.clock.wall_ms() + self._offset[family]

    def offset_ms(self, family: str) -> float:
        return self._offset[family]

    def due(self, family: str) -> bool:
        return self.enabled and self.clock.wall_ms() - self._synced_at[family] >= self.interval_ms

    def update(self, family: str, server_time_ms: float, sent_ms: float, received_ms: float) -> float:
        """Record a measurement; return the new offset (ms)."""
        offset = server_time_ms - (sent_ms + received_ms) / 2
        self._offset[family] = offset
        self._synced_at[family] = received_ms
        return offset

    def __repr__(self) -> str:
        offsets = ", ".join(f"{name}={value:+.0f}ms" for name, value in self._offset.items())
        return f"ServerClock(enabled={self.enabled}, {offsets})"
