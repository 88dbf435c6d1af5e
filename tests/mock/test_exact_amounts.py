"""Exact amounts through the mock: scenario text -> the JSON answer -> the generated model, every digit."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from binance_margin_api.models import LiabilityCoin
from binance_margin_mock import MockClock, ScenarioError, create_app, load_scenario

from ._signer import Credentials
from .conftest import START_MS, Signed
from .test_signing import COINS

EXACT_KEY = Credentials("exactKey1", "HMAC", "exact-secret")
# Both would change through a float: 0.35520000000000000001 -> 0.3552, 4.7100 -> 4.71.
EXACT = ("0.35520000000000000001", "4.7100")
_ACCOUNT = """
[[accounts]]
id = 1
keys = [{ api_key = "exactKey1", type = "HMAC", secret = "exact-secret" }]
cross = [
    { asset = "ETH", principal = "0.00100000", interest = "0.00000012", usdt_value = 0.35520000000000000001 },
    { asset = "BTC", principal = "0.00005", interest = "0", usdt_value = 4.7100 },
]
"""


def _json_scenario() -> dict[str, Any]:
    # The same account as JSON text: numbers written with their digits, as a file would hold them.
    return {
        "accounts": [
            {
                "id": 1,
                "keys": [{"api_key": "exactKey1", "type": "HMAC", "secret": "exact-secret"}],
                "cross": [
                    {
                        "asset": "ETH",
                        "principal": "0.00100000",
                        "interest": "0.00000012",
                        "usdt_value": "@0@",
                    },
                    {"asset": "BTC", "principal": "0.00005", "interest": "0", "usdt_value": "@1@"},
                ],
            }
        ]
    }


def _json_text() -> str:
    text = json.dumps(_json_scenario())
    return text.replace('"@0@"', EXACT[0]).replace('"@1@"', EXACT[1])


def _scenario_file(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"exact.{kind}"
    path.write_text(_ACCOUNT if kind == "toml" else _json_text(), encoding="utf-8")
    return path


async def _coin_list_body(app: Any) -> bytes:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as http:
        signed = Signed(http, app.clock)
        response = await signed.send("GET", COINS, credentials=EXACT_KEY)
    assert response.status_code == 200, response.text
    return response.content


@pytest.mark.parametrize("kind", ["toml", "json"])
async def test_scenario_amounts_reach_the_model_exactly(tmp_path: Path, kind: str) -> None:
    scenario = load_scenario(_scenario_file(tmp_path, kind))
    assert [item.usdt_value for item in scenario.accounts[0].cross] == [Decimal(v) for v in EXACT]
    body = await _coin_list_body(create_app(scenario, clock=MockClock(start_ms=START_MS, frozen=True)))
    # The answer holds the digits as JSON numbers (not strings, not rounded through a float).
    assert b'"liabilityQty":0.35520000000000000001' in body
    assert b'"liabilityQty":4.7100' in body
    assert b'"interest":"0.00000012"' in body and b'"principal":"0.00100000"' in body
    coins = [LiabilityCoin.from_dict(item) for item in json.loads(body, parse_float=Decimal)]
    assert [str(coin.liability_qty) for coin in coins] == list(EXACT)
    assert [coin.principal for coin in coins] == [Decimal("0.00100000"), Decimal("0.00005")]
    assert coins[0].to_dict()["principal"] == "0.00100000"  # the string comes back as it was sent


async def test_a_mapping_with_decimals_or_floats_keeps_what_was_written() -> None:
    mapping = _json_scenario()
    cross = mapping["accounts"][0]["cross"]
    cross[0]["usdt_value"] = Decimal(EXACT[0])
    cross[1]["usdt_value"] = 4.71  # a float from Python code: its repr, 4.71, not 4.70999999999999996447
    body = await _coin_list_body(create_app(mapping, clock=MockClock(start_ms=START_MS, frozen=True)))
    assert b'"liabilityQty":0.35520000000000000001' in body and b'"liabilityQty":4.71}' in body


async def test_reset_over_http_keeps_the_digits(client: httpx.AsyncClient, signed: Signed) -> None:
    response = await client.post(
        "/_mock/reset",
        content='{"scenario":' + _json_text() + "}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    state = (await client.get("/_mock/state")).content
    assert b'"liabilityQty":0.35520000000000000001' in state and b'"liabilityQty":4.7100' in state


@pytest.mark.parametrize(
    "cross",
    [
        '{ asset = "X", principal = 0.1, usdt_value = 1 }',  # principal must be a string
        '{ asset = "X", principal = "1e-3", usdt_value = 1 }',
        '{ asset = "X", principal = "0.1", interest = "abc", usdt_value = 1 }',
        '{ asset = "X", principal = "0.1", usdt_value = "1" }',
        '{ asset = "X", principal = "0.1", usdt_value = nan }',
        '{ asset = "X", principal = "0.1", usdt_value = -1 }',
    ],
)
def test_amounts_that_are_not_exact_decimals_are_scenario_errors(tmp_path: Path, cross: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f"[[accounts]]\nid = 1\ncross = [{cross}]\n", encoding="utf-8")
    with pytest.raises(ScenarioError):
        load_scenario(path)
