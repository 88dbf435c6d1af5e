"""A clock for client-logic tests: time moves only when the client sleeps, so no verdict depends on speed."""

from __future__ import annotations

START_MS = 1_767_225_600_000.0  # 2026-01-01T00:00:00Z: a window boundary for every interval


class FakeClock:
    def __init__(self, now_ms: float = START_MS + 1000) -> None:
        self.now = now_ms
        self.slept: list[float] = []

    def wall_ms(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds * 1000

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
