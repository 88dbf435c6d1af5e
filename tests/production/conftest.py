"""Fixtures for the production-behaviour tests: the mock under uvicorn, a clock shared with it, Redis.

`mock` and `clock` are the shipped test kit's `binance_mock` and `binance_mock_clock` (registered for the
suite in tests/conftest.py), serving `scenario`.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from binance_margin import BinanceClient, HmacCredentials, RetryPolicy
from binance_margin_mock import Scenario, load_scenario
from binance_margin_mock.testing import MockLinkedClock, RunningMock

from tests._redis import redis_server
from tests._secrets import MOCK_HMAC, MOCK_HMAC_2

__all__ = ["MOCK_CREDENTIALS", "MOCK_CREDENTIALS_2", "MockLinkedClock", "RunningMock", "make_client"]

MOCK_CREDENTIALS = HmacCredentials(MOCK_HMAC.api_key, MOCK_HMAC.secret or "")
MOCK_CREDENTIALS_2 = HmacCredentials(MOCK_HMAC_2.api_key, MOCK_HMAC_2.secret or "")


class CountingTransport(httpx.BaseTransport):
    """Counts what really goes on the wire, per (method, path)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.sent: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        return self.inner.handle_request(request)

    def count(self, method: str, path: str) -> int:
        return self.sent.count((method, path))

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """The default scenario, with the fields of an indirect parameter (a dict) replaced."""
    changes: dict[str, Any] = getattr(request, "param", {})
    return dataclasses.replace(load_scenario(), **changes)


@pytest.fixture
def binance_mock_scenario(scenario: Scenario) -> Scenario:
    return scenario


@pytest.fixture
def mock(binance_mock: RunningMock) -> RunningMock:
    return binance_mock


@pytest.fixture
def clock(binance_mock_clock: MockLinkedClock) -> MockLinkedClock:
    return binance_mock_clock


@pytest.fixture
def wire() -> CountingTransport:
    return CountingTransport()


def make_client(mock: RunningMock, **options: Any) -> BinanceClient:
    options.setdefault("retry", RetryPolicy(attempts=3, base=0.01, cap=0.02))
    options.setdefault("budget_namespace", f"test-{uuid.uuid4().hex[:8]}")
    credentials = options.pop("credentials", MOCK_CREDENTIALS)
    return BinanceClient(credentials, base_url=mock.base_url, futures_base_url=mock.base_url, **options)


def replace(scenario: Scenario, **changes: Any) -> Scenario:
    return dataclasses.replace(scenario, **changes)


# -- Redis -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on a free loopback port, in a temp dir, for the session."""
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server.uri
