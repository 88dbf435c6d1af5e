"""The test kit: run the mock, drive it, and link a client's clock to it (docs/mock.md, "Test kit").

- `running_mock(scenario)`: the mock under uvicorn on a free loopback port, as a `RunningMock`
  (`base_url`, the in-process `app`, its `clock`, a `control` client, `hmac_key()`).
- `MockControl(base_url)`: the control endpoints over HTTP, typed: `state()`, `requests()`,
  `request_count()`, `advance()`, `set_time_ms()`, `freeze()`, `add_fault()`, `clear_faults()`, `reset()`.
- `MockLinkedClock(mock_clock)` (in-process) and `HttpLinkedClock` (over HTTP): `clock=` for the client.
- `demo_hmac_key(scenario)`: the scenario's public demo HMAC key.
- pytest fixtures in `binance_margin_mock.testing.pytest_plugin` (binance_mock, binance_mock_app,
  binance_mock_clock, binance_mock_scenario, binance_mock_hmac_key), registered only when enabled.

Needs the `mock` extra.
"""

from __future__ import annotations

from .._extra import raise_for_extra

try:
    from ._clocks import HttpLinkedClock, MockLinkedClock
    from ._control import (
        AccountState,
        ClockState,
        CoinState,
        FuturesSymbolState,
        MockControl,
        MockControlError,
        MockState,
    )
    from ._demo import DemoHmacKey, demo_hmac_key
    from ._running import RunningMock, running_mock
except ModuleNotFoundError as error:  # say which extra to install, not just which module is missing
    raise_for_extra(error)

__all__ = [
    "AccountState",
    "ClockState",
    "CoinState",
    "DemoHmacKey",
    "FuturesSymbolState",
    "HttpLinkedClock",
    "MockControl",
    "MockControlError",
    "MockLinkedClock",
    "MockState",
    "RunningMock",
    "demo_hmac_key",
    "running_mock",
]
