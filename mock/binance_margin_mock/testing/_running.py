"""The mock under uvicorn on a free loopback port, with its control client: `running_mock()`."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .._app import MockApp, create_app
from .._clock import MockClock
from .._faults import Faults
from .._scenario import Scenario
from .._server import MockServer
from ._control import MockControl
from ._demo import DemoHmacKey, demo_hmac_key


@dataclasses.dataclass(frozen=True)
class RunningMock:
    """A mock serving on `base_url` (both API families on one port). `app` is the in-process app (its
    `clock`, `faults`, `reset()`, `requests()`); `control` drives it over HTTP as another process would."""

    base_url: str
    app: MockApp
    control: MockControl

    @property
    def clock(self) -> MockClock:
        return self.app.clock

    def hmac_key(self, account_id: int | None = None) -> DemoHmacKey:
        """The scenario's HMAC key of `account_id` (default: the first account that has one)."""
        return demo_hmac_key(self.app.scenario, account_id)


@contextlib.contextmanager
def running_mock(
    scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
    *,
    clock: MockClock | None = None,
    faults: Faults | None = None,
    host: str = "127.0.0.1",
) -> Iterator[RunningMock]:
    """Serve a new mock (`create_app`'s arguments) on `host`:<free port> in a thread; stop it on exit."""
    with serve(create_app(scenario, clock=clock, faults=faults), host=host) as running:
        yield running


@contextlib.contextmanager
def serve(app: MockApp, *, host: str = "127.0.0.1") -> Iterator[RunningMock]:
    """Serve `app` on `host`:<free port> in a thread, with its control client; stop it on exit."""
    with MockServer(app, host=host) as server, MockControl(server.base_url) as control:
        yield RunningMock(server.base_url, app, control)
