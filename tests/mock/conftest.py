"""Fixtures: the mock in-process on a frozen clock, and a way to send signed requests to it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from binance_margin_mock import Faults, MockApp, MockClock, create_app

from ._signer import Credentials, Params, demo_credentials, encode

START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
CREDENTIALS = demo_credentials()
HMAC = CREDENTIALS["HMAC"]


@pytest.fixture
def clock() -> MockClock:
    return MockClock(start_ms=START_MS, frozen=True)


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def app(clock: MockClock, faults: Faults) -> MockApp:
    return create_app(clock=clock, faults=faults)


@pytest.fixture
async def client(app: MockApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as http:
        yield http


@dataclasses.dataclass
class Signed:
    """Builds and sends one signed request; every knob a test may want to bend is a field."""

    client: httpx.AsyncClient
    clock: MockClock

    async def send(
        self,
        method: str,
        path: str,
        params: Params = (),
        *,
        credentials: Credentials = HMAC,
        api_key: str | None = None,
        timestamp: int | None = None,
        recv_window: int | None = None,
        in_body: bool = False,
        signature: str | None = None,
    ) -> httpx.Response:
        fields = list(params)
        if recv_window is not None:
            fields.append(("recvWindow", str(recv_window)))
        fields.append(("timestamp", str(self.clock.now_ms() if timestamp is None else timestamp)))
        payload = encode(fields)
        wire = f"{payload}&signature={signature or credentials.sign(payload.encode())}"
        return await self.raw(
            method, path, "" if in_body else wire, wire if in_body else "", api_key or credentials.api_key
        )

    async def raw(
        self, method: str, path: str, query: str, body: str = "", api_key: str | None = HMAC.api_key
    ) -> httpx.Response:
        headers: dict[str, Any] = {} if api_key is None else {"X-MBX-APIKEY": api_key}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        url = httpx.URL(f"http://mock{path}").copy_with(query=query.encode("utf-8"))
        return await self.client.request(method, url, headers=headers, content=body.encode("utf-8"))


@pytest.fixture
def signed(client: httpx.AsyncClient, clock: MockClock) -> Signed:
    return Signed(client, clock)
