"""`client.api` runs the generated functions' calls through the engine, and nothing else: the generated
client's `with_*` helpers (whose copies would lose the engine and send plain unsigned requests) and any
request that is not a generated function's call are refused, with nothing sent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import attrs
import httpx
import pytest
from binance_margin import BinanceClient, BinanceConfigError, BinanceValidationError, HmacCredentials
from binance_margin_api.api.margin import get_small_liability_exchange_coin_list
from binance_margin_api.client import AuthenticatedClient

COIN_LIST = "/sapi/v1/margin/exchange-small-liability"
HELPERS: dict[str, Callable[[AuthenticatedClient], object]] = {
    "with_timeout": lambda api: api.with_timeout(httpx.Timeout(1.0)),
    "with_headers": lambda api: api.with_headers({"X-Team": "treasury"}),
    "with_cookies": lambda api: api.with_cookies({"session": "1"}),
    "set_httpx_client": lambda api: api.set_httpx_client(httpx.Client()),
    "set_async_httpx_client": lambda api: api.set_async_httpx_client(httpx.AsyncClient()),
}


def _client(sent: list[httpx.Request]) -> BinanceClient:
    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=[])

    transport = httpx.MockTransport(answer)
    return BinanceClient(HmacCredentials("k", "s"), transport=transport, async_transport=transport)


@pytest.mark.parametrize("helper", sorted(HELPERS))
def test_the_with_helpers_are_refused_and_the_engine_stays(helper: str) -> None:
    sent: list[httpx.Request] = []
    with _client(sent) as client:
        with pytest.raises(BinanceConfigError, match=f"client.api.{helper}.. would bypass the call engine"):
            HELPERS[helper](client.api)
        assert sent == []
        # The client.api the caller holds is untouched: its calls still run signed, through the engine.
        assert get_small_liability_exchange_coin_list.sync(client=client.api) == []
    assert len(sent) == 1 and "signature=" in str(sent[0].url)
    assert client.last_call is not None and client.last_call.operation == "getSmallLiabilityExchangeCoinList"


@pytest.mark.parametrize(
    ("method", "url", "options"),
    [
        ("GET", "/sapi/v1/margin/unknown", {}),
        ("DELETE", COIN_LIST, {}),
        ("GET", COIN_LIST, {"headers": {"X-Team": "treasury"}}),
        ("GET", "https://elsewhere.example/sapi/v1/margin/exchange-small-liability", {}),
    ],
    ids=["unknown-path", "undocumented-method", "extra-options", "absolute-url"],
)
def test_only_a_generated_functions_call_is_run(method: str, url: str, options: dict[str, object]) -> None:
    sent: list[httpx.Request] = []
    with _client(sent) as client:
        with pytest.raises(BinanceValidationError, match="is not a call of a generated function"):
            client.api.get_httpx_client().request(method, url, **options)  # type: ignore[arg-type]

        async def run() -> None:
            await client.api.get_async_httpx_client().request(method, url, **options)  # type: ignore[arg-type]

        with pytest.raises(BinanceValidationError, match="is not a call of a generated function"):
            asyncio.run(run())
        # httpx's ways in that bypass `request` (send, stream) end at the adapters' own transport, refused.
        engine_door = client.api.get_httpx_client()
        with pytest.raises(BinanceValidationError, match="runs the generated functions' calls only"):
            engine_door.send(engine_door.build_request("GET", COIN_LIST))
        async_door = client.api.get_async_httpx_client()
        with pytest.raises(BinanceValidationError, match="runs the generated functions' calls only"):
            asyncio.run(async_door.send(async_door.build_request("GET", COIN_LIST)))
    assert sent == []


@pytest.mark.parametrize("params", [[("assetNames", "BTC")], "assetNames=BTC"], ids=["pairs", "query-string"])
def test_params_other_than_a_mapping_are_refused(params: object) -> None:
    # httpx takes pairs or a query string as params too; the engine validates named arguments only.
    sent: list[httpx.Request] = []
    with _client(sent) as client, pytest.raises(BinanceValidationError, match="arguments must be a mapping"):
        client.api.get_httpx_client().request("GET", COIN_LIST, params=params)
    assert sent == []


def test_a_copy_of_client_api_still_runs_through_the_engine() -> None:
    sent: list[httpx.Request] = []
    with _client(sent) as client:
        copy = attrs.evolve(client.api, timeout=httpx.Timeout(1.0), raise_on_unexpected_status=True)
        assert get_small_liability_exchange_coin_list.sync(client=copy) == []
    assert len(sent) == 1 and "signature=" in str(sent[0].url)
    assert client.last_call is not None and client.last_call.outcome == "ok"
