"""The control endpoints refuse a body they would misread: a 400 naming the field, and nothing changes."""

from __future__ import annotations

import httpx
import pytest
from binance_margin_mock import MockApp

DEEP = b"[" * 100_000 + b"]" * 100_000  # past any parser's recursion limit


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("clock", {"advance_seconds": "inf"}, "advance_seconds"),
        ("clock", b'{"advance_seconds": Infinity}', "advance_seconds"),
        ("clock", {"advance_seconds": True}, "advance_seconds"),
        ("clock", {"set_ms": 1.5}, "set_ms"),
        ("clock", {"set_ms": "1700000000000"}, "set_ms"),
        ("clock", {"freeze": "no"}, "freeze"),
        ("clock", {"frozen": True}, "frozen"),
        ("reset", {"clock": "false"}, "clock"),
        ("reset", {"scenario": None}, "scenario"),
        ("reset", {"scenario": [1]}, "scenario"),
        ("reset", {"clok": True}, "clok"),
        pytest.param("clock", DEEP, "nested", id="clock-deep-json"),
        pytest.param("faults", DEEP, "nested", id="faults-deep-json"),
        pytest.param("reset", DEEP, "nested", id="reset-deep-json"),
    ],
)
async def test_a_misread_control_body_is_a_400_that_changes_nothing(
    client: httpx.AsyncClient, app: MockApp, path: str, body: dict[str, object] | bytes, named: str
) -> None:
    app.clock.freeze()  # so that "nothing changed" is exact
    before = (await client.get("/_mock/clock")).json()
    if isinstance(body, bytes):
        answer = await client.post(f"/_mock/{path}", content=body)
    else:
        answer = await client.post(f"/_mock/{path}", json=body)
    assert (answer.status_code, named in answer.json()["error"]) == (400, True), answer.text
    assert (await client.get("/_mock/clock")).json() == before


@pytest.mark.parametrize(
    ("body", "moved_ms"),
    [({"advance_seconds": 1.5}, 1500), ({"advance_seconds": -2}, -2000), ({"advance_seconds": 0}, 0)],
)
async def test_a_well_typed_clock_body_moves_the_clock(
    client: httpx.AsyncClient, app: MockApp, body: dict[str, object], moved_ms: int
) -> None:
    app.clock.freeze()
    start = app.clock.now_ms()
    answer = await client.post("/_mock/clock", json=body)
    assert answer.status_code == 200 and answer.json()["serverTime"] - start == moved_ms


async def test_a_reset_to_a_scenario_that_does_not_load_changes_nothing(
    client: httpx.AsyncClient, app: MockApp
) -> None:
    before = (await client.get("/_mock/state")).json()
    bad = {"accounts": [{"id": 7, "futures": [{"symbol": "BTCUSDT", "position": "abc"}]}]}
    answer = await client.post("/_mock/reset", json={"scenario": bad})
    assert (answer.status_code, "position" in answer.json()["error"]) == (400, True), answer.text
    assert (await client.get("/_mock/state")).json() == before
    assert (await client.post("/_mock/reset", json={})).status_code == 200  # the mock still resets
