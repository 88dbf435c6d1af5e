"""pytest fixtures for tests against the mock. Enable them in one of these ways (nothing is registered
merely because the package is installed):

- on the command line: `pytest -p binance_margin_mock.testing.pytest_plugin`;
- in the ini file: `binance_margin_mock = true` (under `[pytest]` / `[tool.pytest.ini_options]`);
- in your top-level conftest.py: `pytest_plugins = ["binance_margin_mock.testing.pytest_plugin"]`.

Fixtures (each test gets a fresh mock; all function-scoped):

- `binance_mock_scenario`: the Scenario to serve (default: the packaged default). Override it in a
  conftest, or parametrize it indirectly with a Scenario, a scenario file path or a mapping.
- `binance_mock_app`: the mock in-process (an ASGI app with its own MockClock and Faults), no socket:
  `httpx.AsyncClient(transport=httpx.ASGITransport(app=binance_mock_app), base_url="http://mock")`.
- `binance_mock`: that app served on a free loopback port: a RunningMock (`base_url`, `app`,
  `clock`, `control`, `hmac_key()`).
- `binance_mock_clock`: a MockLinkedClock on `binance_mock`'s clock, for `BinanceClient(clock=...)`.
- `binance_mock_hmac_key`: the scenario's first demo HMAC key (DemoHmacKey: `api_key`, `secret`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .. import _app, _scenario
from ._clocks import MockLinkedClock
from ._demo import DemoHmacKey, demo_hmac_key
from ._running import RunningMock, serve

__all__ = [
    "binance_mock",
    "binance_mock_app",
    "binance_mock_clock",
    "binance_mock_hmac_key",
    "binance_mock_scenario",
]


@pytest.fixture
def binance_mock_scenario(request: pytest.FixtureRequest) -> _scenario.Scenario:
    param: Any = getattr(request, "param", None)
    if isinstance(param, _scenario.Scenario):
        return param
    if param is None or isinstance(param, (str, Path, dict)):
        return _scenario.load_scenario(param)
    raise TypeError(f"binance_mock_scenario: a Scenario, a path or a mapping, not {param!r}")


@pytest.fixture
def binance_mock_app(binance_mock_scenario: _scenario.Scenario) -> _app.MockApp:
    return _app.create_app(binance_mock_scenario)  # its own new MockClock and Faults


@pytest.fixture
def binance_mock(binance_mock_app: _app.MockApp) -> Iterator[RunningMock]:
    with serve(binance_mock_app) as running:
        yield running


@pytest.fixture
def binance_mock_clock(binance_mock: RunningMock) -> MockLinkedClock:
    return MockLinkedClock(binance_mock.app.clock)


@pytest.fixture
def binance_mock_hmac_key(binance_mock_scenario: _scenario.Scenario) -> DemoHmacKey:
    return demo_hmac_key(binance_mock_scenario)
