"""The default drivers over TLS on a loopback socket, as every call to Binance goes: the certificate is
checked against SSL_CERT_FILE (httpx's TLS defaults), signed bytes arrive intact, one connection carries
every call, and a certificate that is not trusted fails before anything is sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from binance_margin import (
    BinanceClient,
    BinanceConfigError,
    BinanceTransportError,
    CallRecord,
    HmacCredentials,
)

from tests._loopback import hmac_verifier, loopback_server
from tests._secrets import WIRE_API_KEY, WIRE_SECRET
from tests._tls import self_signed


def _client(base_url: str, **options: object) -> BinanceClient:
    credentials = HmacCredentials(WIRE_API_KEY, WIRE_SECRET)
    return BinanceClient(credentials, base_url=base_url, futures_base_url=base_url, timeout=5.0, **options)  # type: ignore[arg-type]


async def _async_calls(base_url: str) -> None:
    async with _client(base_url) as client:
        await client.acoin_list()
        await client.aexchange_small_liability(["BTC", "ETH"])
        await client.amanual_liquidation("ISOLATED", "BTCUSDT")
        await client.achange_margin_type("BTCUSDT", "CROSSED")


@pytest.mark.parametrize("driver", ["sync", "async"])
def test_calls_over_tls_are_signed_and_share_one_connection(
    driver: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert_file, context = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    with loopback_server(hmac_verifier(WIRE_SECRET), tls=context) as server:
        if driver == "sync":
            with _client(server.base_url) as client:
                client.coin_list()
                client.exchange_small_liability(["BTC", "ETH"])
                client.manual_liquidation("ISOLATED", "BTCUSDT")
                client.change_margin_type("BTCUSDT", "CROSSED")
        else:
            asyncio.run(_async_calls(server.base_url))
    assert server.base_url.startswith("https://")
    assert [seen.signature_valid for seen in server.seen] == [True] * 4
    assert len(server.connections) == 1  # keep-alive over TLS: every kept connection's answer is its own


@pytest.mark.parametrize("driver", ["sync", "async"])
def test_an_untrusted_certificate_fails_before_anything_is_sent(
    driver: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trusted, _ = self_signed(tmp_path)
    (tmp_path / "other").mkdir()
    _, presented = self_signed(tmp_path / "other")  # a different CA than the one trusted
    monkeypatch.setenv("SSL_CERT_FILE", str(trusted))
    with loopback_server(hmac_verifier(WIRE_SECRET), tls=presented) as server:
        client = _client(server.base_url)
        with pytest.raises(BinanceTransportError) as raised:
            if driver == "sync":
                with client:
                    client.change_margin_type("BTCUSDT", "CROSSED")
            else:

                async def call() -> None:
                    async with client:
                        await client.achange_margin_type("BTCUSDT", "CROSSED")

                asyncio.run(call())
    assert raised.value.outcome_unknown is False
    assert client.last_call is not None and client.last_call.outcome == "not-sent"
    assert server.seen == []


@pytest.mark.parametrize("driver", ["sync", "async", "trio"])
@pytest.mark.parametrize("certificates", ["missing", "not-pem"])
def test_certificates_that_cannot_be_loaded_are_a_config_error(
    driver: str, certificates: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ca.pem"
    if certificates == "not-pem":
        path.write_text("not a certificate\n")
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    records: list[CallRecord] = []
    with loopback_server(hmac_verifier(WIRE_SECRET)) as server:
        client = _client(server.base_url, on_call=records.append)
        with pytest.raises(BinanceConfigError, match=r"TLS certificates cannot be loaded.*nothing was sent"):
            if driver == "sync":
                with client:
                    client.coin_list()
            else:

                async def call() -> None:
                    async with client:
                        await client.acoin_list()

                if driver == "async":
                    asyncio.run(call())
                else:
                    trio = pytest.importorskip("trio", reason="trio is in the dev extra; CI installs it")
                    trio.run(call)
    assert server.seen == []
    # Refused like any call that cannot be sent: recorded, with nothing reserved or sent.
    assert [(record.outcome, record.error, record.requests) for record in records] == [
        ("not-sent", "BinanceConfigError", 0)
    ]
    assert records[0].buckets == ()
