"""The default drivers over TLS on a loopback socket, as every call to Binance goes: the certificate is
checked against SSL_CERT_FILE (httpx's TLS defaults), signed bytes arrive intact, one connection carries
every call, and a certificate that is not trusted fails before anything is sent."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from pathlib import Path

import pytest
from binance_margin import BinanceClient, BinanceTransportError, HmacCredentials
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests._loopback import hmac_verifier, loopback_server
from tests._secrets import WIRE_API_KEY, WIRE_SECRET


def _self_signed(directory: Path) -> tuple[Path, ssl.SSLContext]:
    """A certificate for 127.0.0.1 (its own CA), and a server context that presents it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "binance-margin test CA")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return cert_file, context


def _client(base_url: str) -> BinanceClient:
    credentials = HmacCredentials(WIRE_API_KEY, WIRE_SECRET)
    return BinanceClient(credentials, base_url=base_url, futures_base_url=base_url, timeout=5.0)


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
    cert_file, context = _self_signed(tmp_path)
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
    trusted, _ = _self_signed(tmp_path)
    (tmp_path / "other").mkdir()
    _, presented = _self_signed(tmp_path / "other")  # a different CA than the one trusted
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
