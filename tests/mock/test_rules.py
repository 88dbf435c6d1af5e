"""The account model: small liability exchange rules, manual liquidation, futures margin type."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Literal

import httpx
import pytest
from binance_margin_api import spec_metadata
from binance_margin_api.spec_metadata import OPERATIONS, OncePerInterval
from binance_margin_mock import (
    EXAMPLE_SCENARIO,
    FAMILY_ERRORS,
    FAPI_503,
    OWN_CODES,
    Err,
    MockClock,
    ScenarioError,
    create_app,
    load_scenario,
)
from binance_margin_mock._errors import build_family_errors, build_fapi_503, documented_code

from .conftest import CREDENTIALS, Signed
from .test_signing import COINS, LIQUIDATION, MARGIN_TYPE, code

SIX_HOURS = next(
    rule.interval_seconds
    for rule in OPERATIONS["smallLiabilityExchange"].rules
    if isinstance(rule, OncePerInterval)
)


async def exchange(signed: Signed, assets: str, **kwargs: object) -> httpx.Response:
    return await signed.send("POST", COINS, [("assetNames", assets)], **kwargs)  # type: ignore[arg-type]


async def test_coin_list_shows_only_eligible_liabilities(signed: Signed) -> None:
    coins = (await signed.send("GET", COINS)).json()
    assert [coin["asset"] for coin in coins] == ["BTC", "ETH"]  # BNB is worth >= 10 USDT
    assert all(coin["liabilityAsset"] == "USDT" and coin["liabilityQty"] < 10 for coin in coins)


async def test_exchange_once_per_six_hours_per_account(signed: Signed) -> None:
    assert (await exchange(signed, "BTC")).status_code == 200
    assert [coin["asset"] for coin in (await signed.send("GET", COINS)).json()] == ["ETH"]
    signed.clock.advance(SIX_HOURS - 1)
    again = await exchange(signed, "ETH")
    assert (again.status_code, code(again)) == (400, -3901)
    other = await exchange(signed, "DOGE", credentials=CREDENTIALS["HMAC2"])
    assert other.status_code == 200, other.text  # the rule is per account
    signed.clock.advance(1)
    assert (await exchange(signed, "ETH")).status_code == 200


@pytest.mark.parametrize(
    ("assets", "status", "expected"),
    [
        ("BNB", 400, -3903),  # liability worth >= 10 USDT
        ("XRP", 400, -3903),  # no liability at all
        ("BTC,BNB", 400, -3903),  # all or nothing
        (",".join(f"C{i}" for i in range(11)), 400, -3902),
        ("BTC,BTC", 400, -1130),
        ("", 400, -1102),
        ("BTC,,ETH", 400, -1100),
        ("BTC ETH", 400, -1100),
    ],
)
async def test_exchange_eligibility(signed: Signed, assets: str, status: int, expected: int) -> None:
    response = await exchange(signed, assets)
    assert (response.status_code, code(response)) == (status, expected)
    assert len((await signed.send("GET", COINS)).json()) == 2  # nothing was converted


async def test_exchange_body_is_configurable_among_the_documented_empty_bodies() -> None:
    clock = MockClock(start_ms=1_767_225_600_000, frozen=True)
    bodies = []
    for body in OPERATIONS["smallLiabilityExchange"].empty_body or ():
        app = create_app(dataclasses.replace(load_scenario(), small_liability_exchange_body=body), clock)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as http:
            bodies.append((await exchange(Signed(http, clock), "BTC")).text)
    assert bodies == ["", "{}", "null"]


async def test_own_codes_are_configurable() -> None:
    clock = MockClock(start_ms=1_767_225_600_000, frozen=True)
    scenario = load_scenario()
    app = create_app(
        dataclasses.replace(scenario, own_codes={**scenario.own_codes, Err.LIABILITY_NOT_ELIGIBLE: -3999}),
        clock,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as http:
        response = await exchange(Signed(http, clock), "BNB")
    assert code(response) == -3999


async def test_cross_liquidation_clears_every_cross_liability(signed: Signed) -> None:
    response = await signed.send("POST", LIQUIDATION, [("type", "MARGIN")])
    assert response.status_code == 200, response.text
    assert sorted(coin["asset"] for coin in response.json()) == ["BNB", "BTC", "ETH"]  # several: an array
    again = await signed.send("POST", LIQUIDATION, [("type", "MARGIN")])
    assert (again.status_code, code(again)) == (400, -3904)
    assert (await signed.send("GET", COINS)).json() == []


async def test_isolated_liquidation_clears_one_symbol(signed: Signed) -> None:
    response = await signed.send("POST", LIQUIDATION, [("type", "ISOLATED"), ("symbol", "BTCUSDT")])
    assert response.json() == {
        "asset": "USDT",
        "interest": "0.003",
        "principal": "12.5",
        "liabilityAsset": "USDT",
        "liabilityQty": 12.503,
    }
    other = await signed.send("POST", LIQUIDATION, [("type", "ISOLATED"), ("symbol", "ETHBTC")])
    assert other.json()["asset"] == "BTC"
    again = await signed.send("POST", LIQUIDATION, [("type", "ISOLATED"), ("symbol", "BTCUSDT")])
    assert code(again) == -3904


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([("type", "ISOLATED")], -1102),  # required-if symbol
        ([("type", "ISOLATED"), ("symbol", "NOPEUSDT")], -1121),
        ([("type", "ISOLATED"), ("symbol", "ETHUSDT")], -3003),  # a symbol without an isolated account
        ([("type", "CROSS")], -1130),
        ([], -1102),
    ],
)
async def test_liquidation_errors(signed: Signed, params: list[tuple[str, str]], expected: int) -> None:
    response = await signed.send("POST", LIQUIDATION, params)
    assert (response.status_code, code(response)) == (400, expected)


@pytest.mark.parametrize(
    ("symbol", "margin_type", "expected"),
    [
        ("BTCUSDT", "ISOLATED", 200),
        ("BTCUSDT", "CROSSED", -4046),  # already set
        ("ETHUSDT", "CROSSED", -4047),  # open orders
        ("BNBUSDT", "ISOLATED", -4048),  # position
        ("NOPEUSDT", "ISOLATED", -1121),
        ("BTCUSDT", "BOTH", -1130),
        ("BTC USDT", "ISOLATED", -1100),
    ],
)
async def test_margin_type_outcomes(signed: Signed, symbol: str, margin_type: str, expected: int) -> None:
    response = await signed.send("POST", MARGIN_TYPE, [("symbol", symbol), ("marginType", margin_type)])
    got = 200 if response.status_code == 200 else code(response)
    assert got == expected, response.text


async def test_margin_type_change_sticks(signed: Signed) -> None:
    params = [("symbol", "BTCUSDT"), ("marginType", "ISOLATED")]
    assert (await signed.send("POST", MARGIN_TYPE, params)).status_code == 200
    assert code(await signed.send("POST", MARGIN_TYPE, params)) == -4046


@pytest.mark.parametrize(("noop", "expected"), [("-4067", -4067), ("success", 200)])
async def test_noop_margin_type_answer_is_configurable(
    noop: Literal["-4067", "success"], expected: int
) -> None:
    clock = MockClock(start_ms=1_767_225_600_000, frozen=True)
    app = create_app(dataclasses.replace(load_scenario(), margin_type_noop=noop), clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as http:
        response = await Signed(http, clock).send(
            "POST", MARGIN_TYPE, [("symbol", "BTCUSDT"), ("marginType", "CROSSED")]
        )
    assert (200 if response.status_code == 200 else code(response)) == expected


@pytest.mark.parametrize(("margin_type", "expected"), [("ISOLATED", -4168), ("CROSSED", -4046)])
async def test_multi_assets_mode_refuses_isolated_margin(margin_type: str, expected: int) -> None:
    clock = MockClock(start_ms=1_767_225_600_000, frozen=True)
    app = create_app(dataclasses.replace(load_scenario(), multi_assets_mode=True), clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as http:
        response = await Signed(http, clock).send(
            "POST", MARGIN_TYPE, [("symbol", "BTCUSDT"), ("marginType", margin_type)]
        )
    assert (response.status_code, code(response)) == (400, expected), response.text
    if expected == -4168:
        assert "Multi-Assets mode" in response.json()["msg"]


def test_codes_are_keyed_by_family() -> None:
    assert FAMILY_ERRORS["fapi"][Err.MARGIN_TYPE_SAME].code == -4046
    assert Err.MARGIN_TYPE_SAME not in FAMILY_ERRORS["sapi"]  # -4046 means something else on SAPI
    assert FAMILY_ERRORS["sapi"][Err.RECV_WINDOW].code == -1131
    assert FAMILY_ERRORS["fapi"][Err.RECV_WINDOW].code == -1130


def test_every_err_kind_resolves_to_a_documented_code_of_its_family_or_an_own_code() -> None:
    own = load_scenario().own_codes
    answered = {err for table in FAMILY_ERRORS.values() for err in table}
    assert answered == set(Err)  # every kind the request path can raise has an answer somewhere
    for family, table in FAMILY_ERRORS.items():
        for err, spec in table.items():
            if err in own:
                assert spec.code == own[err], (family, err)
                assert spec.code not in spec_metadata.ERROR_CODES, (family, err, spec.code)
            else:
                assert spec_metadata.error_meaning(family, spec.code) is not None, (family, err, spec.code)


def test_documented_codes_are_taken_from_the_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    """Renumber every code in the spec's table: the mock's documented codes follow, its own ones stay."""
    renumbered = {code - 50_000: meanings for code, meanings in spec_metadata.ERROR_CODES.items()}
    monkeypatch.setattr(spec_metadata, "ERROR_CODES", renumbered)
    rebuilt = build_family_errors()
    for family, table in FAMILY_ERRORS.items():
        for err, spec in table.items():
            moved = spec.code if err in OWN_CODES else spec.code - 50_000
            assert rebuilt[family][err].code == moved, (family, err)
    assert {name: code - 50_000 for name, (code, _) in FAPI_503.items()} == {
        name: code for name, (code, _) in build_fapi_503().items()
    }


def test_a_code_is_looked_up_per_family() -> None:
    assert documented_code("sapi", "agreement not confirmed") == -4046  # FAPI's "no need to change" code
    with pytest.raises(LookupError):
        documented_code("fapi", "agreement not confirmed")  # -4046 means something else on FAPI
    with pytest.raises(LookupError):
        documented_code("fapi", "margin type")  # ambiguous: several FAPI codes


def test_fapi_503_messages_are_the_specs() -> None:
    fapi = spec_metadata.API_FAMILIES["fapi"]
    assert FAPI_503["unknown"][1] in fapi.unknown_outcome_messages
    assert {FAPI_503["unavailable"][1], FAPI_503["internal"][1]} == set(fapi.not_executed_messages)
    assert all(spec_metadata.error_meaning("fapi", code) for code, _ in FAPI_503.values())


@pytest.mark.parametrize("taken", [-1022, -4046])
def test_own_codes_must_not_be_documented_codes(taken: int) -> None:
    with pytest.raises(ScenarioError, match="own_codes"):
        load_scenario({"own_codes": {"exchange-cooldown": taken}})
    scenario = load_scenario()
    with pytest.raises(ValueError, match="Binance documents"):
        create_app(dataclasses.replace(scenario, own_codes={**scenario.own_codes, Err.NO_LIABILITIES: taken}))


@pytest.mark.parametrize(
    ("write", "source"),
    [
        (None, "absent.toml"),
        ("not toml [[", "bad.toml"),
        ("{not json", "bad.json"),
        ("[1, 2]", "list.json"),
        ('accounts = "x"', "accounts.toml"),
        ("[[accounts]]\nkeys = []", "no-id.toml"),
        ("[server]\nwindow_seconds = -5", "window.toml"),
        ('[server]\nwindow_seconds = "60"', "window-str.toml"),
        ("[server]\nwindow_seconds = nan", "window-nan.toml"),
    ],
    ids=[
        "missing",
        "bad-toml",
        "bad-json",
        "not-a-table",
        "accounts-str",
        "account-no-id",
        "window",
        "window-str",
        "window-nan",
    ],
)
def test_a_malformed_scenario_is_a_scenario_error(tmp_path: Path, write: str | None, source: str) -> None:
    path = tmp_path / source
    if write is not None:
        path.write_text(write, encoding="utf-8")
    with pytest.raises(ScenarioError):
        load_scenario(path)


_ACCOUNT = {"id": 7, "keys": [{"api_key": "K7", "secret": "s"}]}
# Each was once read silently as something else (a string as true, a str as its letters, a float cut to
# an int, a misspelt key ignored, a number as text): now a ScenarioError naming what is wrong.
MISREAD_SCENARIOS = {
    "flag-as-string": ({"server": {"strict_percent_encoding": "false"}}, "strict_percent_encoding"),
    "flag-as-number": ({"exchange": {"multi_assets_mode": 1}}, "multi_assets_mode"),
    "symbols-as-str": ({"exchange": {"symbols": "BTCUSDT"}}, "symbols must be a list of strings"),
    "symbols-not-str": ({"exchange": {"symbols": ["BTCUSDT", 5]}}, "symbols must be a list of strings"),
    "ban-count-float": ({"server": {"ban_after_violations": 2.5}}, "ban_after_violations"),
    "ban-count-bool": ({"server": {"ban_after_violations": True}}, "ban_after_violations"),
    "ban-count-negative": ({"server": {"ban_after_violations": -1}}, "ban_after_violations"),
    "ban-seconds-negative": ({"server": {"ban_seconds": -5}}, "ban_seconds"),
    "ban-seconds-text": ({"server": {"ban_seconds": "120"}}, "ban_seconds"),
    "server-typo": ({"server": {"strict_percent_encodng": False}}, "unknown key(s) strict_percent_encodng"),
    "top-level-typo": ({"acounts": []}, "unknown key(s) acounts"),
    "body-not-text": ({"answers": {"small_liability_exchange_body": 0}}, "small_liability_exchange_body"),
    # Not a body Binance answers with: a client that passes against it would not be proven on Binance.
    "body-not-documented": ({"answers": {"small_liability_exchange_body": "OK"}}, "documented"),
    "own-code-text": ({"own_codes": {"exchange-cooldown": "-3901"}}, "exchange-cooldown"),
    "accounts-entry-not-table": ({"accounts": [7]}, "an entry"),
    "account-id-text": ({"accounts": [{**_ACCOUNT, "id": "7"}]}, "id must be an integer"),
    "account-flag-text": ({"accounts": [{**_ACCOUNT, "margin_account": "no"}]}, "margin_account"),
    "account-typo": ({"accounts": [{**_ACCOUNT, "crosss": []}]}, "unknown key(s) crosss"),
    "key-secret-number": ({"accounts": [{"id": 7, "keys": [{"api_key": "K", "secret": 5}]}]}, "secret"),
    "key-typo": ({"accounts": [{"id": 7, "keys": [{"api_key": "K", "secret": "s", "typ": "RSA"}]}]}, "typ"),
    "asset-number": (
        {"accounts": [{**_ACCOUNT, "cross": [{"asset": 1, "principal": "1", "usdt_value": 1}]}]},
        "asset must be a string",
    ),
    "liability-typo": (
        {
            "accounts": [
                {**_ACCOUNT, "cross": [{"asset": "BTC", "principal": "1", "usdt_value": 1, "intrest": "0"}]}
            ]
        },
        "intrest",
    ),
    "futures-margin-type": (
        {"accounts": [{**_ACCOUNT, "futures": [{"symbol": "BTCUSDT", "margin_type": "crossed"}]}]},
        "margin_type must be one of",
    ),
    "futures-open-orders": (
        {"accounts": [{**_ACCOUNT, "futures": [{"symbol": "BTCUSDT", "open_orders": -1}]}]},
        "open_orders",
    ),
    "defaults-liability-not-table": ({"defaults": {"liability": "0.5"}}, "liability must be a table"),
}


@pytest.mark.parametrize(("mapping", "says"), MISREAD_SCENARIOS.values(), ids=MISREAD_SCENARIOS.keys())
def test_a_scenario_value_of_the_wrong_type_or_a_misspelt_key_is_refused(
    mapping: dict[str, object], says: str
) -> None:
    with pytest.raises(ScenarioError) as refused:
        load_scenario(mapping)
    assert says in str(refused.value)


def test_every_option_of_the_example_scenario_is_read_as_written() -> None:
    example = tomllib.loads(EXAMPLE_SCENARIO.read_text(encoding="utf-8"))
    scenario = load_scenario(EXAMPLE_SCENARIO)
    server, exchange = example["server"], example["exchange"]
    assert (scenario.ban_after_violations, scenario.ban_seconds) == (
        server["ban_after_violations"],
        server["ban_seconds"],
    )
    assert scenario.strict_percent_encoding is server["strict_percent_encoding"]
    assert scenario.symbols == frozenset(exchange["symbols"])
    assert (scenario.any_symbol, scenario.multi_assets_mode) == (
        exchange["any_symbol"],
        exchange["multi_assets_mode"],
    )
    (account,) = scenario.accounts
    futures = {item.symbol: item for item in account.futures}
    for raw in example["accounts"][0]["futures"]:
        assert futures[raw["symbol"]].margin_type == raw["margin_type"]
        assert futures[raw["symbol"]].open_orders == raw.get("open_orders", 0)
