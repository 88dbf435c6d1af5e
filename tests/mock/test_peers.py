"""Third-party Binance clients, unchanged, against the running mock (only their URLs point at it)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from binance_margin_mock import load_scenario

from tests._mock_server import RunningMock, running_mock

from .conftest import HMAC

pytestmark = pytest.mark.peers

HOSTS = ("https://api.binance.com", "https://fapi.binance.com")


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running_mock() as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh(mock: RunningMock) -> None:
    mock.app.reset(load_scenario())


def ccxt_client(base_url: str) -> Any:
    ccxt = pytest.importorskip("ccxt")
    exchange = ccxt.binance({"apiKey": HMAC.api_key, "secret": HMAC.secret})
    for name, url in list(exchange.urls["api"].items()):
        if isinstance(url, str):
            for host in HOSTS:
                url = url.replace(host, base_url)
            exchange.urls["api"][name] = url
    return exchange


def test_ccxt_implicit_methods(mock: RunningMock) -> None:
    exchange = ccxt_client(mock.base_url)
    coins = exchange.sapi_get_margin_exchange_small_liability()
    assert sorted(coin["asset"] for coin in coins) == ["BTC", "ETH"]
    # ccxt sends POST parameters in the form body, signed after urlencoding (BTC%2CETH).
    exchange.sapi_post_margin_exchange_small_liability({"assetNames": "BTC,ETH"})
    assert exchange.sapi_get_margin_exchange_small_liability() == []
    # ccxt 4.5.90 has no implicit method for manual liquidation: its generic request() signs it the same way.
    liquidated = exchange.request(
        "margin/manual-liquidation", ["sapi"], "POST", {"type": "ISOLATED", "symbol": "BTCUSDT"}
    )
    assert liquidated["asset"] == "USDT"
    assert exchange.fapiprivate_post_margintype({"symbol": "BTCUSDT", "marginType": "ISOLATED"}) == {
        "code": 200,
        "msg": "success",
    }


def test_ccxt_sees_binance_errors(mock: RunningMock) -> None:
    ccxt = pytest.importorskip("ccxt")
    exchange = ccxt_client(mock.base_url)
    with pytest.raises(ccxt.ExchangeError, match="-4046"):
        exchange.fapiprivate_post_margintype({"symbol": "BTCUSDT", "marginType": "CROSSED"})


def margin_sdk(base_url: str) -> Any:
    margin = pytest.importorskip("binance_sdk_margin_trading.margin_trading")
    common = pytest.importorskip("binance_common.configuration")
    config = common.ConfigurationRestAPI(api_key=HMAC.api_key, api_secret=HMAC.secret, base_path=base_url)
    return margin.MarginTrading(config_rest_api=config).rest_api


def test_official_margin_sdk(mock: RunningMock) -> None:
    # The SDK cannot parse the documented empty body (JSONDecodeError, see docs/mock.md): answer "{}".
    mock.app.reset(dataclasses.replace(mock.app.scenario, small_liability_exchange_body="{}"))
    rest = margin_sdk(mock.base_url)
    coins = rest.get_small_liability_exchange_coin_list().data()
    assert sorted(coin.asset for coin in coins) == ["BTC", "ETH"]
    rest.small_liability_exchange(asset_names="BTC,ETH")
    assert mock.control.state()["accounts"]["10000001"]["lastExchangeMs"] is not None
    liquidated = rest.margin_manual_liquidation(type="MARGIN").data()
    assert (liquidated.asset, liquidated.liability_qty) == (
        "BNB",
        310.2,
    )  # the one cross liability left: one object


def test_official_margin_sdk_fails_on_the_documented_empty_body(mock: RunningMock) -> None:
    """A genuine SDK incompatibility, recorded rather than bent around: the request did take effect."""
    rest = margin_sdk(mock.base_url)
    with pytest.raises(json.JSONDecodeError):
        rest.small_liability_exchange(asset_names="BTC")
    assert mock.control.state()["accounts"]["10000001"]["lastExchangeMs"] is not None


def test_official_futures_sdk(mock: RunningMock) -> None:
    futures = pytest.importorskip(
        "binance_sdk_derivatives_trading_usds_futures.derivatives_trading_usds_futures"
    )
    common = pytest.importorskip("binance_common.configuration")
    config = common.ConfigurationRestAPI(
        api_key=HMAC.api_key, api_secret=HMAC.secret, base_path=mock.base_url
    )
    rest = futures.DerivativesTradingUsdsFutures(config_rest_api=config).rest_api
    response = rest.change_margin_type(symbol="BTCUSDT", margin_type="ISOLATED").data()
    assert (response.code, response.msg) == (200, "success")
    assert mock.control.state()["accounts"]["10000001"]["futures"]["BTCUSDT"]["marginType"] == "ISOLATED"


def python_binance(base_url: str) -> Any:
    client = pytest.importorskip("binance.client")
    # ping=False: by default the constructor pings api.binance.com.
    binance = client.Client(HMAC.api_key, HMAC.secret, ping=False)
    binance.API_URL = f"{base_url}/api"
    binance.MARGIN_API_URL = f"{base_url}/sapi"
    binance.FUTURES_URL = f"{base_url}/fapi"
    return binance


def test_python_binance(mock: RunningMock) -> None:
    binance = python_binance(mock.base_url)
    coins = binance.get_small_liability_exchange_assets()
    assert sorted(coin["asset"] for coin in coins) == ["BTC", "ETH"]
    # One coin: nothing to percent-encode, so the bytes it signs are the bytes it sends.
    assert binance.exchange_small_liability_assets(assetNames="BTC") == {}  # the documented empty body
    assert [coin["asset"] for coin in binance.get_small_liability_exchange_assets()] == ["ETH"]
    liquidated = binance.margin_manual_liquidation(type="ISOLATED", symbol="BTCUSDT")
    assert liquidated["asset"] == "USDT"
    assert binance.futures_change_margin_type(symbol="BTCUSDT", marginType="ISOLATED") == {
        "code": 200,
        "msg": "success",
    }
    assert mock.control.state()["accounts"]["10000001"]["futures"]["BTCUSDT"]["marginType"] == "ISOLATED"


@pytest.mark.parametrize("strict", [True, False])
def test_python_binance_signs_asset_names_raw_but_sends_them_encoded(mock: RunningMock, strict: bool) -> None:
    """A genuine incompatibility, recorded rather than bent around (docs/mock.md).

    It signs `assetNames=BTC,ETH` but sends `assetNames=BTC%2CETH`: the signed bytes are not the received
    bytes, so this is -1022 even without the mock's strict percent-encoding check.
    """
    exceptions = pytest.importorskip("binance.exceptions")
    mock.app.reset(dataclasses.replace(mock.app.scenario, strict_percent_encoding=strict))
    binance = python_binance(mock.base_url)
    with pytest.raises(exceptions.BinanceAPIException) as raised:
        binance.exchange_small_liability_assets(assetNames="BTC,ETH")
    assert (raised.value.status_code, raised.value.code) == (400, -1022)
    assert mock.control.state()["accounts"]["10000001"]["lastExchangeMs"] is None
    assert len(binance.get_small_liability_exchange_assets()) == 2  # nothing was exchanged
