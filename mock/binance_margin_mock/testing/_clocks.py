"""Clock links: clocks for the binance-margin client whose "now" is the mock's server time.

They have the shape of the client's `Clock` protocol (`wall_ms() -> float`, `sleep(seconds)`,
`async asleep(seconds)`): pass one as `BinanceClient(..., clock=...)`. The client's timestamps, rate-limit
windows and 6-hour guard then follow the mock's clock, and the client's sleeping advances the mock's time
instead of waiting. The protocol is structural: the mock does not import the client.
"""

from __future__ import annotations

from .._clock import MockClock
from ._control import MockControl


class MockLinkedClock:
    """Linked to a MockClock in this process (`running_mock().app.clock`, or your own)."""

    def __init__(self, clock: MockClock) -> None:
        self.mock = clock
        self.slept: list[float] = []  # every sleep the client asked for, in seconds

    def wall_ms(self) -> float:
        return float(self.mock.now_ms())

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.mock.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def __repr__(self) -> str:
        return f"MockLinkedClock(now_ms={self.mock.now_ms()})"


class HttpLinkedClock:
    """Linked over HTTP to a mock running anywhere (`/_mock/clock`): one request per reading or sleep.

    `HttpLinkedClock(MockControl(url))` or `HttpLinkedClock.connect(url)`; close what you connected.
    """

    def __init__(self, control: MockControl) -> None:
        self.control = control
        self.slept: list[float] = []
        self._owns_control = False

    @classmethod
    def connect(cls, base_url: str, *, timeout: float = 10.0) -> HttpLinkedClock:
        clock = cls(MockControl(base_url, timeout=timeout))
        clock._owns_control = True
        return clock

    def wall_ms(self) -> float:
        return float(self.control.now_ms())

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.control.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        import asyncio  # only async callers pay for it

        # The control client is synchronous: run its request off the event loop, so a mock served by
        # the same loop (or any other work on it) is not blocked meanwhile.
        await asyncio.to_thread(self.sleep, seconds)

    def close(self) -> None:
        if self._owns_control:
            self.control.close()

    def __repr__(self) -> str:
        return f"HttpLinkedClock({self.control.base_url!r})"
