"""Invalid calls are refused before anything is sent, with a message naming the rule from the spec."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import httpx
import pytest
from binance_margin import (
    BinanceClient,
    BinanceConfigError,
    BinanceValidationError,
    CallRecord,
    HmacCredentials,
)
from binance_margin._validation import validate
from binance_margin_api.spec_metadata import OPERATIONS, SIGNING, Parameter


def _refuse_everything(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a request was sent: {request.url}")


@pytest.fixture
def client() -> Iterator[BinanceClient]:
    with BinanceClient(HmacCredentials("k", "s"), transport=httpx.MockTransport(_refuse_everything)) as made:
        yield made


MAX_COINS = OPERATIONS["smallLiabilityExchange"].parameters[0].max_items
assert MAX_COINS is not None


@pytest.mark.parametrize(
    ("assets", "fragment"),
    [
        ([], "needs at least 1"),
        ([f"C{i}" for i in range(MAX_COINS + 1)], f"at most {MAX_COINS}"),
        (["BTC", "ETH", "BTC"], "repeats BTC"),
        (["BTC,ETH"], "must match"),
        (["BTC", ""], "at least 1 character"),
        (["BT C"], "must match"),
        (["BTC\n"], "must match"),
        (["\udcff"], "lone surrogate"),  # what argv holds for bytes that are not UTF-8
    ],
    ids=[
        "none",
        "too-many",
        "duplicate",
        "comma-inside",
        "empty-name",
        "space",
        "trailing-newline",
        "surrogate",
    ],
)
def test_bad_asset_lists_are_refused(client: BinanceClient, assets: list[str], fragment: str) -> None:
    with pytest.raises(BinanceValidationError, match=fragment) as raised:
        client.exchange_small_liability(assets)
    assert raised.value.parameter == "assetNames"
    assert "nothing was sent" in str(raised.value)


def test_too_many_coins_names_the_documented_rule(client: BinanceClient) -> None:
    with pytest.raises(BinanceValidationError) as raised:
        client.exchange_small_liability([f"C{i}" for i in range(MAX_COINS + 1)])
    assert raised.value.rule == "The maximum number of coin is 10"


def test_exactly_the_maximum_is_allowed_through_validation() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=b"")

    with BinanceClient(HmacCredentials("k", "s"), transport=httpx.MockTransport(answer)) as made:
        made.exchange_small_liability([f"C{i}" for i in range(MAX_COINS)])
    assert len(sent) == 1


def test_isolated_without_symbol_is_refused(client: BinanceClient) -> None:
    with pytest.raises(BinanceValidationError, match="symbol is required when type is ISOLATED") as raised:
        client.manual_liquidation("ISOLATED")
    assert "ISOLATED" in raised.value.rule


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda c: c.manual_liquidation("CROSS"), "type is 'CROSS'; it must be one of"),
        (lambda c: c.change_margin_type("BTCUSDT", "isolated"), "marginType is 'isolated'"),
        (lambda c: c.change_margin_type("", "CROSSED"), "symbol is ''"),
    ],
    ids=["bad-account-type", "bad-margin-type", "empty-symbol"],
)
def test_bad_enums_and_empty_values_are_refused(client: BinanceClient, call, fragment: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BinanceValidationError, match=fragment):
        call(client)


def test_generated_functions_are_validated_too(client: BinanceClient) -> None:
    from binance_margin_api.api.margin import small_liability_exchange

    with pytest.raises(BinanceValidationError, match="at most"):
        small_liability_exchange.sync_detailed(client=client.api, asset_names=[f"C{i}" for i in range(11)])


@pytest.mark.parametrize("recv_window", [0, -1, SIGNING.recv_window_maximum + 1])
def test_recv_window_out_of_range_is_refused(recv_window: int) -> None:
    with pytest.raises(BinanceConfigError, match="recvWindow"):
        BinanceClient(HmacCredentials("k", "s"), recv_window=recv_window)


def test_recv_window_maximum_is_accepted() -> None:
    BinanceClient(HmacCredentials("k", "s"), recv_window=SIGNING.recv_window_maximum).close()


def test_a_string_argument_with_a_lone_surrogate_is_refused(client: BinanceClient) -> None:
    with pytest.raises(BinanceValidationError, match="lone surrogate") as raised:
        client.change_margin_type("BTC\ud800USDT", "ISOLATED")
    assert raised.value.parameter == "symbol"


class _BrokenSigner:
    api_key = "k"

    def sign(self, payload: bytes) -> str:
        raise RuntimeError("hardware token unplugged")


def test_credentials_that_fail_to_sign_are_a_config_error_and_the_guard_is_handed_back() -> None:
    records: list[CallRecord] = []
    with BinanceClient(
        _BrokenSigner(), transport=httpx.MockTransport(_refuse_everything), on_call=records.append
    ) as made:
        with pytest.raises(
            BinanceConfigError, match=r"could not sign the request \(RuntimeError\); nothing was sent"
        ):
            made.exchange_small_liability(["BTC"])
        assert made.next_exchange_allowed_ms() == 0
    assert [record.outcome for record in records] == ["not-sent"]


# No operation of the spec has an integer parameter yet (recvWindow is the client's option): one made up
# from a real operation shows that, once Binance adds one, it is checked as exactly as the others.
_WITH_LIMIT = dataclasses.replace(
    OPERATIONS["changeMarginType"],
    operation_id="changeMarginTypeWithLimit",
    parameters=(
        *OPERATIONS["changeMarginType"].parameters,
        Parameter(name="limit", required=False, type="integer"),
    ),
)


@pytest.mark.parametrize("value", [True, 1.0, "1", [1]])
def test_an_integer_parameter_takes_an_int_only(value: object) -> None:
    arguments = {"symbol": "BTCUSDT", "marginType": "ISOLATED", "limit": value}
    with pytest.raises(BinanceValidationError, match="limit must be an int") as raised:
        validate(_WITH_LIMIT, arguments)
    assert raised.value.parameter == "limit"


def test_an_integer_parameter_goes_out_as_its_digits() -> None:
    wire = validate(_WITH_LIMIT, {"symbol": "BTCUSDT", "marginType": "ISOLATED", "limit": 50})
    assert wire[-1] == ("limit", "50")
