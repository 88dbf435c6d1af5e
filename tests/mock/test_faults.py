"""Fault injection and the control endpoints, in-process."""

from __future__ import annotations

import json
import time

import pytest
from binance_margin_mock import FAPI_503, ConnectionDropped, FaultRule, Faults

from .conftest import Signed
from .test_signing import COINS, LIQUIDATION, MARGIN_TYPE, code

FUTURES = [("symbol", "BTCUSDT"), ("marginType", "ISOLATED")]
JSON = {"Content-Type": "application/json"}


async def test_next_n_requests_to_one_operation_answer_503(signed: Signed, faults: Faults) -> None:
    faults.add(
        FaultRule.from_json(
            {"kind": "error", "operation": "smallLiabilityExchange", "count": 2, "fapi_503": "unknown"}
        )
    )
    other = await signed.send("GET", COINS)  # same path, other operation: untouched
    answers = [await signed.send("POST", COINS, [("assetNames", "BTC")]) for _ in range(3)]
    assert other.status_code == 200
    assert [a.status_code for a in answers] == [503, 503, 200]
    assert answers[0].json() == {"code": FAPI_503["unknown"][0], "msg": FAPI_503["unknown"][1]}
    assert faults.rules() == []


@pytest.mark.parametrize("preset", sorted(FAPI_503))
async def test_fapi_503_messages(signed: Signed, faults: Faults, preset: str) -> None:
    faults.add(
        FaultRule.from_json(
            {"kind": "error", "operation": "POST /fapi/v1/marginType", "count": 1, "fapi_503": preset}
        )
    )
    response = await signed.send("POST", MARGIN_TYPE, FUTURES)
    assert (response.status_code, response.json()["msg"]) == (503, FAPI_503[preset][1])


async def test_executed_fault_takes_effect_but_answers_5xx(signed: Signed, faults: Faults) -> None:
    faults.add(
        FaultRule(kind="error", operation="marginManualLiquidation", count=1, status=500, executed=True)
    )
    first = await signed.send("POST", LIQUIDATION, [("type", "MARGIN")])
    second = await signed.send("POST", LIQUIDATION, [("type", "MARGIN")])
    assert first.status_code == 500
    assert code(second) == -3904  # the first one did liquidate: its outcome was unknown, not failed


async def test_latency(signed: Signed, faults: Faults) -> None:
    faults.add(FaultRule(kind="latency", latency_seconds=0.2, count=1))
    started = time.perf_counter()
    response = await signed.send("GET", COINS)
    assert time.perf_counter() - started >= 0.2
    assert response.status_code == 200


async def test_forced_429_and_418(signed: Signed, faults: Faults) -> None:
    faults.add(
        FaultRule(kind="rate_limit", count=1, retry_after=7), FaultRule(kind="ban", count=1, retry_after=30)
    )
    limited = await signed.send("GET", COINS)
    banned = await signed.send("GET", COINS)
    still = await signed.send("GET", COINS)  # the ban outlives the rule
    assert (limited.status_code, code(limited), limited.headers["Retry-After"]) == (429, -1003, "7")
    assert (banned.status_code, code(banned)) == (418, -1003)
    assert "IP banned until" in banned.json()["msg"]
    assert still.status_code == 418
    signed.clock.advance(30)
    assert (await signed.send("GET", COINS)).status_code == 200


async def test_drop_in_process_raises(signed: Signed, faults: Faults) -> None:
    faults.add(FaultRule(kind="drop", operation="changeMarginType", count=1))
    with pytest.raises(ConnectionDropped):
        await signed.send("POST", MARGIN_TYPE, FUTURES)
    assert (await signed.send("POST", MARGIN_TYPE, FUTURES)).status_code == 200


async def test_control_endpoints(signed: Signed) -> None:
    http = signed.client
    before = (await http.get("/api/v3/time")).json()["serverTime"]
    advanced = (await http.post("/_mock/clock", json={"advance_seconds": 21600})).json()["serverTime"]
    assert advanced - before == 21_600_000
    added = await http.post("/_mock/faults", json={"rules": [{"kind": "error", "status": 502, "count": 1}]})
    assert added.json()["rules"][0]["status"] == 502
    assert (await http.get("/api/v3/time")).status_code == 502
    await signed.send("POST", LIQUIDATION, [("type", "MARGIN")])
    assert (await http.get("/_mock/state")).json()["accounts"]["10000001"]["cross"] == []
    assert (await http.post("/_mock/reset", json={})).status_code == 200
    assert len((await http.get("/_mock/state")).json()["accounts"]["10000001"]["cross"]) == 3


async def test_control_rejects_a_bad_fault(signed: Signed) -> None:
    response = await signed.client.post("/_mock/faults", json={"kind": "meteor"})
    assert response.status_code == 400
    assert "kind" in response.json()["error"]


BAD_RULES = {
    "unknown-operation": ({"kind": "error", "operation": "smallLiabilityExchnage"}, "is not served here"),
    "status-text": ({"kind": "error", "status": "x"}, "status"),
    "status-99": ({"kind": "error", "status": 99}, "status"),
    "status-true": ({"kind": "error", "status": True}, "status"),
    # An error answer has a body, which HTTP forbids with these (h11 refused it and cut the connection).
    "status-204": ({"kind": "error", "status": 204}, "cannot carry"),
    "status-304": ({"kind": "error", "status": 304}, "cannot carry"),
    "latency-overflow": ({"kind": "latency", "latency_seconds": 1e400}, "latency_seconds"),
    "latency-negative": ({"kind": "latency", "latency_seconds": -1}, "latency_seconds"),
    "count-0": ({"kind": "drop", "count": 0}, "count"),
    "retry-after-text": ({"kind": "rate_limit", "retry_after": "soon"}, "retry_after"),
    "executed-text": ({"kind": "error", "executed": "yes"}, "executed"),
    # It would be answered, and listed by /_mock/state, as JSON that cannot be encoded: a 500 each time.
    "msg-lone-surrogate": ({"kind": "error", "msg": "busy \ud800"}, "lone surrogate"),
}


@pytest.mark.parametrize(("rule", "says"), BAD_RULES.values(), ids=BAD_RULES.keys())
async def test_a_rule_that_would_not_work_as_written_is_refused(
    signed: Signed, faults: Faults, rule: dict[str, object], says: str
) -> None:
    response = await signed.client.post(
        "/_mock/faults", content=json.dumps(rule).replace("Infinity", "1e400"), headers=JSON
    )
    assert response.status_code == 400 and says in response.json()["error"]
    assert faults.rules() == []  # nothing added, and the mock still answers
    assert (await signed.client.get("/_mock/faults")).json() == {"rules": []}
    with pytest.raises(ValueError, match=says):
        FaultRule.from_json(rule)


async def test_reset_with_an_inline_scenario(signed: Signed) -> None:
    scenario = {"accounts": [{"id": 7, "keys": [{"api_key": "K7", "type": "HMAC", "secret": "s"}]}]}
    assert (await signed.client.post("/_mock/reset", json={"scenario": scenario})).status_code == 200
    assert list((await signed.client.get("/_mock/state")).json()["accounts"]) == ["7"]
    assert code(await signed.send("GET", COINS)) == -2015  # the default keys are gone


async def test_reset_refuses_a_misread_scenario_naming_the_key(signed: Signed) -> None:
    scenario = {"exchange": {"any_symbol": "false"}}  # a string: once read as true
    before = (await signed.client.get("/_mock/state")).json()["accounts"]
    response = await signed.client.post("/_mock/reset", json={"scenario": scenario})
    assert response.status_code == 400 and "any_symbol must be true or false" in response.json()["error"]
    assert (await signed.client.get("/_mock/state")).json()["accounts"] == before  # nothing was reset


def test_a_rule_as_json_reads_back_as_the_same_rule() -> None:
    rule = FaultRule(
        "drop",
        operation="changeMarginType",
        count=3,
        latency_seconds=0.5,
        status=502,
        code=-1001,
        msg="down",
        executed=True,
        retry_after=7,
    )
    as_json = rule.to_json()
    assert as_json["kind"] == "drop" and as_json["executed"] is True and as_json["retry_after"] == 7
    assert FaultRule.from_json(as_json) == rule
