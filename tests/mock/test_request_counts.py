"""The mock counts the requests that reached each operation, whatever it answered, until a reset."""

from __future__ import annotations

import httpx
import pytest
from binance_margin_api.spec_metadata import API_FAMILIES, OPERATIONS
from binance_margin_mock import ConnectionDropped, FaultRule, Faults, MockApp

from .conftest import Signed
from .test_signing import COINS, LIQUIDATION

EVERY_NAME = {*OPERATIONS, *(f"GET {family.server_time.path}" for family in API_FAMILIES.values())}


def test_every_operation_and_time_endpoint_starts_at_zero(app: MockApp) -> None:
    assert app.requests() == dict.fromkeys(EVERY_NAME, 0)


async def test_answered_refused_and_faulted_requests_all_count(
    signed: Signed, faults: Faults, app: MockApp
) -> None:
    await signed.send("GET", COINS)  # answered
    await signed.send("GET", COINS, signature="0" * 64)  # -1022: it still reached the mock
    faults.add(FaultRule(kind="drop", operation="marginManualLiquidation", count=1))
    with pytest.raises(ConnectionDropped):
        await signed.send("POST", LIQUIDATION, [("type", "MARGIN")])
    await signed.send("POST", COINS, [("assetNames", "BTC")])
    await signed.raw("GET", "/api/v3/time", "", api_key=None)
    await signed.raw("GET", "/sapi/v1/unknown", "", api_key=None)  # not an operation: not counted
    await signed.raw("PUT", COINS, "", api_key=None)  # 405: not an operation either
    counts = app.requests()
    assert counts["getSmallLiabilityExchangeCoinList"] == 2
    assert counts["marginManualLiquidation"] == 1
    assert counts["smallLiabilityExchange"] == 1
    assert counts["GET /api/v3/time"] == 1
    assert counts["changeMarginType"] == 0 and counts["GET /fapi/v1/time"] == 0
    assert set(counts) == EVERY_NAME


async def test_state_shows_the_counts_and_reset_clears_them(
    signed: Signed, client: httpx.AsyncClient, app: MockApp
) -> None:
    await signed.send("GET", COINS)
    state = (await client.get("/_mock/state")).json()
    assert state["requests"]["getSmallLiabilityExchangeCoinList"] == 1
    assert (await client.post("/_mock/reset", json={})).status_code == 200
    assert app.requests() == dict.fromkeys(EVERY_NAME, 0)
    state = (await client.get("/_mock/state")).json()
    assert state["requests"] == dict.fromkeys(EVERY_NAME, 0)  # the control calls themselves do not count
