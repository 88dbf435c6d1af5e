"""The clients measured by bench/run.py: two hand-written floors, our client, and the peers.

Each contender is built against one base URL (the canned server) and exposes the four operations as
zero-argument callables (sync) or coroutine functions (async), in OPERATIONS order. Every one signs
with HMAC over a fresh timestamp and parses the JSON answer, so they all do the same work.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from binance_margin_api.spec_metadata import OPERATIONS as SPEC_OPERATIONS
from binance_margin_api.spec_metadata import SIGNING

API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"

# Each operation: its operationId in the spec, and its business parameters (the same for every contender).
_CALLS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "coin_list": ("getSmallLiabilityExchangeCoinList", []),
    "exchange_small_liability": ("smallLiabilityExchange", [("assetNames", "BTC,ETH")]),
    "manual_liquidation": ("marginManualLiquidation", [("type", "ISOLATED"), ("symbol", "BTCUSDT")]),
    "change_margin_type": ("changeMarginType", [("symbol", "BTCUSDT"), ("marginType", "CROSSED")]),
}
OPERATIONS = tuple(_CALLS)
# method, path (from the spec), business parameters
REQUESTS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    name: (SPEC_OPERATIONS[operation_id].method, SPEC_OPERATIONS[operation_id].path, params)
    for name, (operation_id, params) in _CALLS.items()
}
API_KEY_HEADER = SIGNING.api_key_header


@dataclass
class Sync:
    name: str
    calls: list[Callable[[], Any]]
    close: Callable[[], Any] = field(default=lambda: None)


@dataclass
class Async:
    name: str
    calls: list[Callable[[], Awaitable[Any]]]
    close: Callable[[], Awaitable[Any]]


def signed_target(path: str, params: list[tuple[str, str]]) -> str:
    """The floors' signing: RFC 3986-encode every name and value, sign those bytes, append the signature."""
    pairs = [
        *params,
        (SIGNING.recv_window_parameter, str(SIGNING.recv_window_default)),
        (SIGNING.timestamp_parameter, str(time.time_ns() // 1_000_000)),
    ]
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return f"{path}?{query}&{SIGNING.signature_parameter}={signature}"


# -- floors --------------------------------------------------------------------------------------------


def floor_http_client(base: str) -> Sync:
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)
    headers = {API_KEY_HEADER: API_KEY, "Content-Length": "0"}

    def call(operation: str) -> Callable[[], Any]:
        method, path, params = REQUESTS[operation]

        def run() -> Any:
            connection.request(method, signed_target(path, params), headers=headers)
            answer = connection.getresponse()
            return json.loads(answer.read())

        return run

    return Sync("floor: http.client+hmac", [call(op) for op in OPERATIONS], connection.close)


def floor_httpx(base: str) -> Sync:
    import httpx

    client = httpx.Client(base_url=base, headers={API_KEY_HEADER: API_KEY})

    def call(operation: str) -> Callable[[], Any]:
        method, path, params = REQUESTS[operation]

        def run() -> Any:
            return client.request(method, signed_target(path, params)).json()

        return run

    return Sync("floor: httpx+hmac", [call(op) for op in OPERATIONS], client.close)


def floor_httpcore(base: str) -> Sync:
    import httpcore

    pool = httpcore.ConnectionPool()
    host = urlsplit(base).netloc.encode()

    def call(operation: str) -> Callable[[], Any]:
        method, path, params = REQUESTS[operation]

        def run() -> Any:
            response = pool.request(
                method,
                base + signed_target(path, params),
                headers=[
                    (b"Host", host),
                    (API_KEY_HEADER.encode(), API_KEY.encode()),
                    (b"Content-Length", b"0"),
                ],
            )
            return json.loads(response.content)

        return run

    return Sync("floor: httpcore+hmac", [call(op) for op in OPERATIONS], pool.close)


def floor_aiohttp(base: str) -> Async:
    # Built inside the running loop (an aiohttp session belongs to one): call this from a coroutine.
    import aiohttp

    session = aiohttp.ClientSession(headers={API_KEY_HEADER: API_KEY})

    def call(operation: str) -> Callable[[], Awaitable[Any]]:
        method, path, params = REQUESTS[operation]

        async def run() -> Any:
            async with session.request(method, base + signed_target(path, params)) as response:
                return json.loads(await response.read())

        return run

    return Async("floor: aiohttp+hmac", [call(op) for op in OPERATIONS], session.close)


def floor_httpx_async(base: str) -> Async:
    import httpx

    client = httpx.AsyncClient(base_url=base, headers={API_KEY_HEADER: API_KEY})

    def call(operation: str) -> Callable[[], Awaitable[Any]]:
        method, path, params = REQUESTS[operation]

        async def run() -> Any:
            return (await client.request(method, signed_target(path, params))).json()

        return run

    return Async("floor: httpx async+hmac", [call(op) for op in OPERATIONS], client.aclose)


# -- ours ------------------------------------------------------------------------------------------------


def _unthrottled(client: Any) -> None:
    """Keep the client's 6-hour guard in the measured path without it ever refusing, and raise every weight
    bucket's limit out of reach, keeping the spec's windows (one minute).

    The guard does the storage work of a real claim on every call (read the allowed time, take a ticket,
    read again; keep the guard after the answer) but never refuses. The budget reserves, counts and reads
    the used-weight header on every call, and never fills. With tiny windows instead (1 ms, a set-up of
    1.0) every millisecond makes a new counter key, a cost no real client pays (see BENCHMARKS.md).
    These reach into the client's private parts: this is bench set-up, not API.
    """
    import attrs
    from binance_margin._cooldown import Claim, Cooldown

    class NeverRefusingCooldown(Cooldown):
        def claim(self, operation: Any, rule: Any, now_ms: float, claim_seconds: int) -> Claim:
            key = self._key(operation)
            self._budget.get_value(key)
            self._budget.take_ticket(f"{key}/bench", claim_seconds)
            max(self._budget.local_values.get(key, 0.0), self._budget.get_value(key))
            return Claim(operation, rule, f"{key}/bench", time.time() + claim_seconds)

    engine = client._engine
    engine._cooldown = NeverRefusingCooldown(client.budget, client._account)
    buckets = client.budget._buckets
    for name, bucket in list(buckets.items()):
        buckets[name] = attrs.evolve(bucket, limit=2**62)


# Our client in two set-ups: the default (httpcore's pool sync, aiohttp async) and an httpx transport given
# by the caller (httpx.HTTPTransport / AsyncHTTPTransport, what a team that passes its own gets).
OUR_MODES = {
    "default": "binance_margin",
    "httpx-transport": "binance_margin (httpx transport)",
}


def _ours(base: str, mode: str) -> Any:
    import httpx
    from binance_margin import BinanceClient, HmacCredentials

    options: dict[str, Any] = {}
    if mode == "httpx-transport":
        options["transport"] = httpx.HTTPTransport()
        options["async_transport"] = httpx.AsyncHTTPTransport()
    client = BinanceClient(HmacCredentials(API_KEY, SECRET), base_url=base, futures_base_url=base, **options)
    _unthrottled(client)
    return client


def ours(base: str, mode: str = "default") -> Sync:
    client = _ours(base, mode)
    calls = [
        client.coin_list,
        lambda: client.exchange_small_liability(["BTC", "ETH"]),
        lambda: client.manual_liquidation("ISOLATED", "BTCUSDT"),
        lambda: client.change_margin_type("BTCUSDT", "CROSSED"),
    ]
    return Sync(OUR_MODES[mode], calls, client.close)


def ours_async(base: str, mode: str = "default") -> Async:
    client = _ours(base, mode)
    calls = [
        client.acoin_list,
        lambda: client.aexchange_small_liability(["BTC", "ETH"]),
        lambda: client.amanual_liquidation("ISOLATED", "BTCUSDT"),
        lambda: client.achange_margin_type("BTCUSDT", "CROSSED"),
    ]
    return Async(OUR_MODES[mode].replace("binance_margin", "binance_margin async", 1), calls, client.aclose)


# -- peers -----------------------------------------------------------------------------------------------


def official_sdk(base: str) -> Sync:
    from binance_common.configuration import ConfigurationRestAPI
    from binance_sdk_derivatives_trading_usds_futures.derivatives_trading_usds_futures import (
        DerivativesTradingUsdsFutures,
    )
    from binance_sdk_derivatives_trading_usds_futures.rest_api.models import ChangeMarginTypeMarginTypeEnum
    from binance_sdk_margin_trading.margin_trading import MarginTrading
    from binance_sdk_margin_trading.rest_api.models import MarginManualLiquidationTypeEnum

    config = {"api_key": API_KEY, "api_secret": SECRET, "base_path": base}
    margin = MarginTrading(config_rest_api=ConfigurationRestAPI(**config)).rest_api
    futures = DerivativesTradingUsdsFutures(config_rest_api=ConfigurationRestAPI(**config)).rest_api
    isolated = MarginManualLiquidationTypeEnum["ISOLATED"].value
    crossed = ChangeMarginTypeMarginTypeEnum["CROSSED"].value
    calls = [
        lambda: margin.get_small_liability_exchange_coin_list().data(),
        lambda: margin.small_liability_exchange(asset_names="BTC,ETH").data(),
        lambda: margin.margin_manual_liquidation(type=isolated, symbol="BTCUSDT").data(),
        lambda: futures.change_margin_type(symbol="BTCUSDT", margin_type=crossed).data(),
    ]
    return Sync("binance-sdk (official)", calls)


def _ccxt_urls(exchange: Any, base: str) -> None:
    for key, url in list(exchange.urls["api"].items()):
        if isinstance(url, str):
            parts = urlsplit(url)
            exchange.urls["api"][key] = base + parts.path


# ccxt's own throttle would sleep between calls (it paces to Binance's limits): it is switched off, which
# also leaves its bookkeeping out of ccxt's measured cost.


def ccxt_sync(base: str) -> Sync:
    import ccxt

    exchange = ccxt.binance({"apiKey": API_KEY, "secret": SECRET, "enableRateLimit": False})
    _ccxt_urls(exchange, base)
    calls = [
        lambda: exchange.sapi_get_margin_exchange_small_liability(),
        lambda: exchange.sapi_post_margin_exchange_small_liability({"assetNames": "BTC,ETH"}),
        # ccxt 4.5.90 has no implicit method for manual liquidation: its generic request() is what they call.
        lambda: exchange.request(
            "margin/manual-liquidation", ["sapi"], "POST", {"type": "ISOLATED", "symbol": "BTCUSDT"}
        ),
        lambda: exchange.fapiprivate_post_margintype({"symbol": "BTCUSDT", "marginType": "CROSSED"}),
    ]
    return Sync("ccxt", calls, lambda: exchange.session.close())


def ccxt_async(base: str) -> Async:
    import ccxt.async_support as ccxt_async_support

    exchange = ccxt_async_support.binance({"apiKey": API_KEY, "secret": SECRET, "enableRateLimit": False})
    _ccxt_urls(exchange, base)
    calls = [
        lambda: exchange.sapi_get_margin_exchange_small_liability(),
        lambda: exchange.sapi_post_margin_exchange_small_liability({"assetNames": "BTC,ETH"}),
        lambda: exchange.request(
            "margin/manual-liquidation", ["sapi"], "POST", {"type": "ISOLATED", "symbol": "BTCUSDT"}
        ),
        lambda: exchange.fapiprivate_post_margintype({"symbol": "BTCUSDT", "marginType": "CROSSED"}),
    ]
    return Async("ccxt async", calls, exchange.close)


def _python_binance_urls(client: Any, base: str) -> None:
    client.API_URL = base + "/api"
    client.MARGIN_API_URL = base + "/sapi"
    client.FUTURES_URL = base + "/fapi"


def python_binance(base: str) -> Sync:
    from binance.client import Client

    client = Client(API_KEY, SECRET, ping=False)
    _python_binance_urls(client, base)
    calls = [
        client.get_small_liability_exchange_assets,
        lambda: client.exchange_small_liability_assets(assetNames="BTC,ETH"),
        lambda: client.margin_manual_liquidation(type="ISOLATED", symbol="BTCUSDT"),
        lambda: client.futures_change_margin_type(symbol="BTCUSDT", marginType="CROSSED"),
    ]
    return Sync("python-binance", calls, client.close_connection)


def python_binance_async(base: str) -> Async:
    # AsyncClient() (not .create(): that pings Binance and fetches its time) builds an aiohttp session,
    # which needs the running loop: call this from a coroutine.
    from binance.async_client import AsyncClient

    client = AsyncClient(API_KEY, SECRET)
    _python_binance_urls(client, base)
    calls = [
        client.get_small_liability_exchange_assets,
        lambda: client.exchange_small_liability_assets(assetNames="BTC,ETH"),
        lambda: client.margin_manual_liquidation(type="ISOLATED", symbol="BTCUSDT"),
        lambda: client.futures_change_margin_type(symbol="BTCUSDT", marginType="CROSSED"),
    ]
    return Async("python-binance async", calls, client.close_connection)


SYNC: dict[str, Callable[[str], Sync]] = {
    "floor-http.client": floor_http_client,
    "floor-httpcore": floor_httpcore,
    "floor-httpx": floor_httpx,
    "binance_margin": ours,
    "binance_margin+httpx-transport": lambda base: ours(base, "httpx-transport"),
    "official-sdk": official_sdk,
    "ccxt": ccxt_sync,
    "python-binance": python_binance,
}
ASYNC: dict[str, Callable[[str], Async]] = {
    "floor-aiohttp": floor_aiohttp,
    "floor-httpx-async": floor_httpx_async,
    "binance_margin-async": ours_async,
    "binance_margin-async+httpx-transport": lambda base: ours_async(base, "httpx-transport"),
    "ccxt-async": ccxt_async,
    "python-binance-async": python_binance_async,
}
