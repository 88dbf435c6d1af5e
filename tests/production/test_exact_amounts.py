"""Exact amounts end to end: the mock's scenario -> its JSON answer -> the client's models, every digit,
through every way in (BinanceClient sync and async, the generated functions, the CLI's JSON)."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal

import pytest
from binance_margin import BinanceClient, HmacCredentials
from binance_margin._cli import main
from binance_margin_api.api.margin import get_small_liability_exchange_coin_list
from binance_margin_api.models import LiabilityCoin
from binance_margin_mock import Liability, load_scenario
from binance_margin_mock.testing import running_mock

# Each would change through a float: 0.35520000000000000001 -> 0.3552, 4.7100 -> 4.71.
EXACT = {"ETH": Decimal("0.35520000000000000001"), "BTC": Decimal("4.7100")}


def _scenario() -> object:
    scenario = load_scenario()
    account = scenario.accounts[0]
    cross = tuple(Liability(asset, "0.00100000", "0.00000012", value) for asset, value in EXACT.items())
    return dataclasses.replace(
        scenario, accounts=(dataclasses.replace(account, cross=cross), *scenario.accounts[1:])
    )


def _exact(coins: list[LiabilityCoin]) -> dict[str, str]:
    # str() keeps trailing zeros: Decimal("4.7100") == Decimal("4.71"), but only one of them says 4.7100.
    return {coin.asset: str(coin.liability_qty) for coin in coins}


def test_amounts_reach_every_door_with_every_digit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = {asset: str(value) for asset, value in EXACT.items()}
    with running_mock(_scenario()) as mock:  # type: ignore[arg-type]
        key = mock.hmac_key()
        client = BinanceClient(
            HmacCredentials(key.api_key, key.secret), base_url=mock.base_url, futures_base_url=mock.base_url
        )
        with client:
            sync = client.coin_list()
            generated = get_small_liability_exchange_coin_list.sync(client=client.api)
        assert isinstance(generated, list)

        async def in_async() -> list[LiabilityCoin]:
            async with BinanceClient(
                HmacCredentials(key.api_key, key.secret),
                base_url=mock.base_url,
                futures_base_url=mock.base_url,
            ) as aclient:
                return await aclient.acoin_list()

        asynchronous = asyncio.run(in_async())
        monkeypatch.setenv("BINANCE_API_KEY", key.api_key)
        monkeypatch.setenv("BINANCE_API_SECRET", key.secret)
        assert main(["--base-url", mock.base_url, "--futures-base-url", mock.base_url, "coin-list"]) == 0
    for coins in (sync, generated, asynchronous):
        assert _exact(coins) == expected
        assert all(type(coin.liability_qty) is Decimal and type(coin.principal) is Decimal for coin in coins)
        assert {str(coin.principal) for coin in coins} == {"0.00100000"}
    out = capsys.readouterr().out
    assert '"liabilityQty": 0.35520000000000000001' in out and '"liabilityQty": 4.7100' in out
