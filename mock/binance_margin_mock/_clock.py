"""The mock's notion of "now": wall time plus an offset, or frozen, so tests can jump hours ahead."""

from __future__ import annotations

import threading
import time


class MockClock:
    """Server time in milliseconds. `advance` moves it forward without waiting; `freeze` stops it."""

    def __init__(self, *, start_ms: int | None = None, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._offset_ms = 0 if start_ms is None else start_ms - _wall_ms()
        self._frozen_at: int | None = None
        if frozen:
            self.freeze()

    def now_ms(self) -> int:
        frozen = self._frozen_at
        return frozen if frozen is not None else _wall_ms() + self._offset_ms

    def advance(self, seconds: float) -> int:
        """Move time forward (or back, if negative) and return the new time."""
        delta = round(seconds * 1000)
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += delta
            else:
                self._offset_ms += delta
            return self.now_ms()

    def set_ms(self, ms: int) -> int:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = ms
            else:
                self._offset_ms = ms - _wall_ms()
            return ms

    def freeze(self) -> None:
        with self._lock:
            self._frozen_at = self.now_ms()

    def unfreeze(self) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._offset_ms = self._frozen_at - _wall_ms()
                self._frozen_at = None

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def reset(self) -> None:
        """Back to wall time, running."""
        with self._lock:
            self._offset_ms = 0
            self._frozen_at = None


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000
