"""The mock under uvicorn on a free loopback port, for tests that need a real socket (peers, clients).

with running_mock() as mock:
    mock.base_url                      # http://127.0.0.1:PORT
    mock.control.advance(6 * 3600)     # POST /_mock/clock
    mock.control.add_fault(kind="error", operation="changeMarginType", count=1, fapi_503="unknown")
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
from binance_margin_mock import Faults, MockApp, MockClock, MockServer, Scenario, create_app


@dataclasses.dataclass
class MockControl:
    """The /_mock/* control endpoints, over HTTP, as a test in another process would use them."""

    http: httpx.Client

    def _post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"/_mock/{path}", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def advance(self, seconds: float) -> int:
        return int(self._post("clock", {"advance_seconds": seconds})["serverTime"])

    def add_fault(self, **rule: Any) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = self._post("faults", rule)["rules"]
        return rules

    def clear_faults(self) -> None:
        self.http.delete("/_mock/faults").raise_for_status()

    def reset(self, scenario: Mapping[str, Any] | None = None, *, clock: bool = False) -> None:
        body: dict[str, Any] = {"clock": clock}
        if scenario is not None:
            body["scenario"] = scenario
        self._post("reset", body)

    def state(self) -> dict[str, Any]:
        response = self.http.get("/_mock/state")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


@dataclasses.dataclass
class RunningMock:
    base_url: str
    app: MockApp
    control: MockControl


@contextlib.contextmanager
def running_mock(
    scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
    *,
    clock: MockClock | None = None,
    faults: Faults | None = None,
) -> Iterator[RunningMock]:
    """Start the mock in a background thread on 127.0.0.1:<free port>; stop it on exit."""
    app = create_app(scenario, clock=clock, faults=faults)
    with MockServer(app) as server, httpx.Client(base_url=server.base_url, timeout=10) as http:
        yield RunningMock(server.base_url, app, MockControl(http))
