"""The bytes on the wire are the bytes that were signed: all operations, all key kinds, sync and async."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from binance_margin import (
    BinanceAPIError,
    BinanceClient,
    Credentials,
    HmacCredentials,
    private_key_credentials,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from tests._loopback import LoopbackServer, Verifier, hmac_verifier, loopback_server, public_key_verifier
from tests._secrets import WIRE_API_KEY, WIRE_SECRET, WRONG_SECRET

SECRET = WIRE_SECRET
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED_KEY = ed25519.Ed25519PrivateKey.generate()


def _pem(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


KEY_KINDS: dict[str, tuple[Callable[[], Credentials], Verifier]] = {
    "hmac": (lambda: HmacCredentials(WIRE_API_KEY, SECRET), hmac_verifier(SECRET)),
    "rsa": (
        lambda: private_key_credentials(WIRE_API_KEY, _pem(RSA_KEY)),
        public_key_verifier(RSA_KEY.public_key()),
    ),
    "ed25519": (
        lambda: private_key_credentials(WIRE_API_KEY, _pem(ED_KEY)),
        public_key_verifier(ED_KEY.public_key()),
    ),
}

# (method name, arguments, expected business parameters as the server decodes them, path)
CALLS: list[tuple[str, dict[str, Any], list[tuple[str, str]], str]] = [
    ("coin_list", {}, [], "/sapi/v1/margin/exchange-small-liability"),
    (
        "exchange_small_liability",
        {"asset_names": ["BTC", "ETH"]},
        [("assetNames", "BTC,ETH")],
        "/sapi/v1/margin/exchange-small-liability",
    ),
    (
        "manual_liquidation",
        {"account_type": "ISOLATED", "symbol": "BTCUSDT"},
        [("type", "ISOLATED"), ("symbol", "BTCUSDT")],
        "/sapi/v1/margin/manual-liquidation",
    ),
    (
        "manual_liquidation",
        {"account_type": "MARGIN"},
        [("type", "MARGIN")],
        "/sapi/v1/margin/manual-liquidation",
    ),
    (
        "change_margin_type",
        {"symbol": "币安人生USDT", "margin_type": "ISOLATED"},
        [("symbol", "币安人生USDT"), ("marginType", "ISOLATED")],
        "/fapi/v1/marginType",
    ),
]


@pytest.fixture(params=sorted(KEY_KINDS))
def signed_server(request: pytest.FixtureRequest) -> Iterator[tuple[LoopbackServer, BinanceClient]]:
    make_credentials, verifier = KEY_KINDS[request.param]
    with loopback_server(verifier) as server:
        client = BinanceClient(make_credentials(), base_url=server.base_url, futures_base_url=server.base_url)
        yield server, client


def _check_seen(server: LoopbackServer, path: str, expected: list[tuple[str, str]]) -> None:
    assert len(server.seen) == 1
    seen = server.seen[0]
    assert seen.signature_valid, f"signature did not verify over {seen.raw_target}"
    assert seen.raw_target.startswith(path + "?")
    assert seen.api_key == WIRE_API_KEY
    names = [name for name, _ in seen.params]
    assert names == [name for name, _ in expected] + ["recvWindow", "timestamp"]
    assert seen.params[: len(expected)] == expected
    assert dict(seen.params)["recvWindow"] == "5000"
    # Everything on the wire is RFC 3986 encoded: only unreserved characters, '%', '=' and '&' appear.
    assert all(c.isalnum() or c in "-_.~%=&/?" for c in seen.raw_target)


@pytest.mark.parametrize(("method", "arguments", "expected", "path"), CALLS)
def test_sync_calls_are_signed_over_the_wire_bytes(
    signed_server: tuple[LoopbackServer, BinanceClient],
    method: str,
    arguments: dict[str, Any],
    expected: list[tuple[str, str]],
    path: str,
) -> None:
    server, client = signed_server
    with client:
        getattr(client, method)(**arguments)
    _check_seen(server, path, expected)


@pytest.mark.parametrize(("method", "arguments", "expected", "path"), CALLS)
async def test_async_calls_are_signed_over_the_wire_bytes(
    signed_server: tuple[LoopbackServer, BinanceClient],
    method: str,
    arguments: dict[str, Any],
    expected: list[tuple[str, str]],
    path: str,
) -> None:
    server, client = signed_server
    async with client:
        await getattr(client, "a" + method)(**arguments)
    _check_seen(server, path, expected)


def test_asset_names_go_out_comma_joined_and_encoded() -> None:
    with (
        loopback_server(hmac_verifier(SECRET)) as server,
        BinanceClient(
            HmacCredentials(WIRE_API_KEY, SECRET), base_url=server.base_url, futures_base_url=server.base_url
        ) as client,
    ):
        client.exchange_small_liability(["BTC", "ETH"])
    assert server.seen[0].raw_target.startswith(
        "/sapi/v1/margin/exchange-small-liability?assetNames=BTC%2CETH&"
    )


def test_a_wrong_secret_is_caught_by_the_server() -> None:
    # Proves the server's check can fail: a client with another secret gets -1022.
    with (
        loopback_server(hmac_verifier(SECRET)) as server,
        BinanceClient(
            HmacCredentials(WIRE_API_KEY, WRONG_SECRET),
            base_url=server.base_url,
            futures_base_url=server.base_url,
        ) as client,
        pytest.raises(BinanceAPIError) as raised,
    ):
        client.coin_list()
    assert raised.value.code == -1022
    assert not server.seen[0].signature_valid


def test_generated_functions_work_with_the_client() -> None:
    from binance_margin_api.api.futures import change_margin_type
    from binance_margin_api.api.margin import get_small_liability_exchange_coin_list
    from binance_margin_api.models import FuturesMarginType

    with (
        loopback_server(hmac_verifier(SECRET)) as server,
        BinanceClient(
            HmacCredentials(WIRE_API_KEY, SECRET), base_url=server.base_url, futures_base_url=server.base_url
        ) as client,
    ):
        coins = get_small_liability_exchange_coin_list.sync(client=client.api)
        answer = change_margin_type.sync(
            client=client.api, symbol="ETHUSDT", margin_type=FuturesMarginType.CROSSED
        )
    assert isinstance(coins, list) and coins[0].asset == "ETH"
    assert answer is not None and answer.to_dict() == {"code": 200, "msg": "success"}
    assert [seen.signature_valid for seen in server.seen] == [True, True]


async def test_generated_asyncio_functions_work_with_the_client() -> None:
    from binance_margin_api.api.margin import small_liability_exchange

    with loopback_server(hmac_verifier(SECRET)) as server:
        async with BinanceClient(
            HmacCredentials(WIRE_API_KEY, SECRET), base_url=server.base_url, futures_base_url=server.base_url
        ) as client:
            response = await small_liability_exchange.asyncio_detailed(
                client=client.api, asset_names=["DOGE"]
            )
    assert response.status_code == 200
    assert server.seen[0].signature_valid and dict(server.seen[0].params)["assetNames"] == "DOGE"
