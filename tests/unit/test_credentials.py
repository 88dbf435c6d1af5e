"""Credentials from arguments or the environment; secrets never appear in reprs or errors."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from binance_margin import (
    BinanceClient,
    BinanceConfigError,
    Ed25519Credentials,
    HmacCredentials,
    RsaCredentials,
    credentials_from_env,
    private_key_credentials,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from tests._secrets import UNIT_API_KEY, UNIT_SECRET, UNIT_WRONG_PASSPHRASE

SECRET = UNIT_SECRET
API_KEY = UNIT_API_KEY


def _write_key(
    tmp_path: Path,
    key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey,
    password: bytes | None,
) -> Path:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    path = tmp_path / "key.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    return path


def test_hmac_from_env() -> None:
    credentials = credentials_from_env({"BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": SECRET})
    assert isinstance(credentials, HmacCredentials) and credentials.api_key == API_KEY


@pytest.mark.parametrize("password", [None, b"phrase"])
def test_private_keys_from_env(tmp_path: Path, password: bytes | None) -> None:
    env = {
        "BINANCE_API_KEY": API_KEY,
        "BINANCE_PRIVATE_KEY_FILE": str(_write_key(tmp_path, ed25519.Ed25519PrivateKey.generate(), password)),
    }
    if password:
        env["BINANCE_PRIVATE_KEY_PASSPHRASE"] = password.decode()
    assert isinstance(credentials_from_env(env), Ed25519Credentials)


def test_rsa_key_file(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    env = {"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_FILE": str(_write_key(tmp_path, key, None))}
    assert isinstance(credentials_from_env(env), RsaCredentials)


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({}, "BINANCE_API_KEY"),
        ({"BINANCE_API_KEY": API_KEY}, "BINANCE_API_SECRET or BINANCE_PRIVATE_KEY_FILE"),
        (
            {"BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": SECRET, "BINANCE_PRIVATE_KEY_FILE": "x"},
            "only one",
        ),
        ({"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_FILE": "/nonexistent/key.pem"}, "cannot read"),
        ({"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_FILE": "key\0.pem"}, "holds a NUL"),
    ],
)
def test_missing_or_conflicting_env_is_a_config_error(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(BinanceConfigError, match=fragment):
        credentials_from_env(env)


def test_wrong_passphrase_does_not_echo_it(tmp_path: Path) -> None:
    path = _write_key(tmp_path, ed25519.Ed25519PrivateKey.generate(), b"right-phrase")
    with pytest.raises(BinanceConfigError) as raised:
        private_key_credentials(API_KEY, path.read_bytes(), UNIT_WRONG_PASSPHRASE)
    assert UNIT_WRONG_PASSPHRASE not in str(raised.value)
    assert "the passphrase is wrong" in str(raised.value)


@pytest.mark.parametrize(
    ("encrypted", "given", "why"),
    [(True, None, "it is encrypted and no passphrase was given"), (False, "phrase", "it is not encrypted")],
    ids=["encrypted-without-passphrase", "passphrase-for-a-plain-key"],
)
def test_a_key_that_cannot_be_loaded_says_why(
    tmp_path: Path, encrypted: bool, given: str | None, why: str
) -> None:
    path = _write_key(tmp_path, ed25519.Ed25519PrivateKey.generate(), b"right-phrase" if encrypted else None)
    with pytest.raises(BinanceConfigError, match=f"cannot load the private key [(]{why}[)]"):
        private_key_credentials(API_KEY, path.read_bytes(), given)


def test_a_key_binance_does_not_sign_with_is_refused_by_its_type(tmp_path: Path) -> None:
    # A valid PEM key of a kind Binance takes no signatures from (an EC key): refused when loaded, not
    # at the first call.
    path = _write_key(tmp_path, ec.generate_private_key(ec.SECP256R1()), None)
    with pytest.raises(BinanceConfigError, match=r"unsupported private key type \w+: use RSA or Ed25519"):
        private_key_credentials(API_KEY, path.read_bytes())


def test_reprs_hide_secrets_and_pickling_is_refused() -> None:
    credentials = HmacCredentials(API_KEY, SECRET)
    client = BinanceClient(credentials)
    texts = [repr(credentials), str(credentials), repr(client), repr(client.api)]
    for text in texts:
        assert SECRET not in text and API_KEY not in text, text
    with pytest.raises(TypeError, match="secret"):
        pickle.dumps(credentials)
    client.close()
