"""The kit's control client against a running mock: typed state, clock, faults, request counts, reset."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from binance_margin_mock import FAPI_503, FaultRule
from binance_margin_mock.testing import MockControl, MockControlError, RunningMock, running_mock

COINS_PATH = "/sapi/v1/margin/exchange-small-liability"


def test_state_is_typed_and_amounts_are_exact(binance_mock: RunningMock) -> None:
    state = binance_mock.control.state()
    account = state["accounts"]["10000001"]
    btc = next(coin for coin in account["cross"] if coin["asset"] == "BTC")
    assert btc["liabilityQty"] == Decimal("4.71") and type(btc["liabilityQty"]) is Decimal
    assert btc["principal"] == "0.00005"
    assert account["futures"]["BTCUSDT"]["marginType"] == "CROSSED"
    assert account["lastExchangeMs"] is None
    assert abs(state["serverTime"] - binance_mock.clock.now_ms()) < 5_000
    assert state["faults"] == []


def test_clock_moves_freezes_and_sets(binance_mock: RunningMock) -> None:
    control = binance_mock.control
    frozen_at = control.freeze()
    assert control.clock() == {"serverTime": frozen_at, "frozen": True}
    assert control.advance(6 * 3600) == frozen_at + 6 * 3600 * 1000
    assert control.set_time_ms(1_767_225_600_000) == 1_767_225_600_000
    assert control.now_ms() == binance_mock.clock.now_ms() == 1_767_225_600_000
    control.unfreeze()
    assert control.clock()["frozen"] is False


def test_faults_are_added_listed_used_and_cleared(binance_mock: RunningMock) -> None:
    control = binance_mock.control
    rules = control.add_fault("error", operation="changeMarginType", count=2, fapi_503="unavailable")
    assert rules == [
        FaultRule(
            kind="error",
            operation="changeMarginType",
            count=2,
            code=FAPI_503["unavailable"][0],
            msg=FAPI_503["unavailable"][1],
        )
    ]
    control.add_faults(FaultRule(kind="rate_limit", operation=f"GET {COINS_PATH}", count=1, retry_after=7))
    assert [rule.kind for rule in control.faults()] == ["error", "rate_limit"]
    answer = httpx.get(binance_mock.base_url + COINS_PATH)  # the forced 429 comes before any key check
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "7")
    assert [rule.kind for rule in control.faults()] == ["error"]  # the counted rule was used up
    control.clear_faults()
    assert control.faults() == []


def test_a_malformed_rule_is_a_control_error_saying_why(binance_mock: RunningMock) -> None:
    with pytest.raises(MockControlError, match="fapi_503"):
        binance_mock.control.add_fault("error", fapi_503="sometimes")  # type: ignore[arg-type]


def test_request_counts_and_reset(binance_mock: RunningMock) -> None:
    control = binance_mock.control
    for _ in range(3):
        httpx.get(binance_mock.base_url + COINS_PATH)  # refused (no key): they reached the mock all the same
    httpx.get(binance_mock.base_url + "/fapi/v1/time")
    assert control.request_count("getSmallLiabilityExchangeCoinList") == 3
    assert control.requests()["GET /fapi/v1/time"] == 1
    assert control.request_count("smallLiabilityExchange") == 0
    with pytest.raises(KeyError, match="counts"):
        control.request_count("noSuchOperation")
    control.add_fault("latency", latency_seconds=0.01)
    control.reset()
    assert set(control.requests().values()) == {0}
    assert control.faults() == []


def test_reset_to_a_new_scenario_keeps_exact_amounts(binance_mock: RunningMock) -> None:
    scenario = {
        "accounts": [
            {
                "id": 7,
                "keys": [{"api_key": "k7", "secret": "s7"}],
                "cross": [
                    {"asset": "SOL", "principal": "1", "usdt_value": Decimal("0.35520000000000000001")}
                ],
            }
        ]
    }
    binance_mock.control.reset(scenario)
    (coin,) = binance_mock.control.state()["accounts"]["7"]["cross"]
    assert coin["liabilityQty"] == Decimal("0.35520000000000000001")
    assert binance_mock.hmac_key().api_key == "k7"  # the app serves the new scenario


@pytest.mark.parametrize(
    "key",
    [
        {"api_key": "r1", "type": "RSA", "public_key_file": "no-such-key.pem"},
        {"api_key": "r1", "type": "RSA", "public_key": "not a PEM"},
    ],
    ids=["missing-key-file", "not-a-pem"],
)
def test_a_reset_to_a_scenario_whose_key_does_not_load_changes_nothing(
    binance_mock: RunningMock, key: dict[str, str]
) -> None:
    before = binance_mock.control.state()["accounts"]
    with pytest.raises(MockControlError, match="r1"):
        binance_mock.control.reset({"accounts": [{"id": 7, "keys": [key]}]})
    assert binance_mock.control.state()["accounts"] == before


def test_a_control_client_of_its_own_and_running_mock() -> None:
    with running_mock() as mock, MockControl(mock.base_url) as control:
        assert control.request_count("changeMarginType") == 0
        assert repr(control) == f"MockControl({mock.base_url!r})"
        key = mock.hmac_key(10000002)
        assert key.account_id == 10000002 and key.secret not in repr(key)
