"""API credentials: an HMAC secret, or an RSA or Ed25519 private key. Reprs never show secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ._errors import BinanceConfigError
from ._wire import check_header_value

if TYPE_CHECKING:
    # cryptography is imported only where RSA or Ed25519 keys are used (~10 ms of import time otherwise).
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa


class Credentials(Protocol):
    """What the signer needs: the API key for the header and a signature over the payload bytes."""

    @property
    def api_key(self) -> str: ...

    def sign(self, payload: bytes) -> str:
        """The signature of `payload`, before percent-encoding."""


class _Redacted:
    """What every kind of credentials shares: the API key, the signing key (a keyed HMAC or a private key
    object), and a repr and pickling refusal that never print or serialise either."""

    __slots__ = ("_api_key", "_key")
    _api_key: str

    def __init__(self, api_key: str, key: Any) -> None:
        self._api_key = api_key
        self._key = key

    @property
    def api_key(self) -> str:
        return self._api_key

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_key=<redacted>)"

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError(f"{type(self).__name__} cannot be pickled: it holds a secret")


class HmacCredentials(_Redacted):
    """HMAC-SHA256 credentials: signatures are lowercase hex."""

    __slots__ = ()
    _key: hmac.HMAC

    def __init__(self, api_key: str, secret: str) -> None:
        _check_api_key(api_key)
        if not isinstance(secret, str) or not secret:
            # The secret's value is never shown, only what it is.
            raise BinanceConfigError(f"the HMAC secret must be a non-empty str, not {_kind(secret)}")
        # Keyed once; each signature copies it. One-shot hmac.new/hmac.digest look SHA-256 up in
        # OpenSSL's provider tables and set the key up again on every call, which measured ~12 µs of a
        # call's CPU on the async path (BENCHMARKS.md) against under 1 µs for a copy.
        super().__init__(api_key, hmac.new(_utf8("the HMAC secret", secret), digestmod=hashlib.sha256))

    def sign(self, payload: bytes) -> str:
        signer = self._key.copy()
        signer.update(payload)
        return signer.hexdigest()


def _utf8(what: str, text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: bytes the environment could not decode (not quoted)
        raise BinanceConfigError(f"{what} is not valid UTF-8 text") from None


def _kind(value: object) -> str:
    return "an empty str" if value == "" else type(value).__name__


def _check_api_key(api_key: object) -> None:
    if not isinstance(api_key, str) or not api_key:
        raise BinanceConfigError(f"the API key must be a non-empty str, not {_kind(api_key)}")
    check_header_value("the API key", api_key)


class RsaCredentials(_Redacted):
    """RSA credentials: PKCS#1 v1.5 over SHA-256, base64."""

    __slots__ = ()
    _key: rsa.RSAPrivateKey

    def sign(self, payload: bytes) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        signature = self._key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")


class Ed25519Credentials(_Redacted):
    """Ed25519 credentials: base64 of the 64-byte signature (88 characters)."""

    __slots__ = ()
    _key: ed25519.Ed25519PrivateKey

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self._key.sign(payload)).decode("ascii")


def private_key_credentials(
    api_key: str, pem: bytes | str, passphrase: bytes | str | None = None
) -> RsaCredentials | Ed25519Credentials:
    """RSA or Ed25519 credentials from a PEM private key (PKCS#8 or traditional), optionally encrypted."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    _check_api_key(api_key)
    if not isinstance(pem, str | bytes):
        raise BinanceConfigError(f"the private key must be PEM text or bytes, not {type(pem).__name__}")
    if passphrase is not None and not isinstance(passphrase, str | bytes):
        raise BinanceConfigError(f"the passphrase must be str or bytes, not {type(passphrase).__name__}")
    try:
        data = pem.encode("ascii") if isinstance(pem, str) else pem
    except UnicodeEncodeError:
        raise BinanceConfigError("the private key is not PEM (it has non-ASCII characters)") from None
    password = _utf8("the passphrase", passphrase) if isinstance(passphrase, str) else passphrase
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        # The library's message can quote the key material's structure: say what is wrong in our words.
        if isinstance(error, TypeError):  # a passphrase missing, or given for a key that needs none
            why = "it is encrypted and no passphrase was given" if password is None else "it is not encrypted"
        elif isinstance(error, UnsupportedAlgorithm):
            why = "an unsupported kind of key"
        else:
            why = "not a PEM private key, or the passphrase is wrong"
        raise BinanceConfigError(f"cannot load the private key ({why}): {type(error).__name__}") from None
    if isinstance(key, rsa.RSAPrivateKey):
        return RsaCredentials(api_key, key)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return Ed25519Credentials(api_key, key)
    raise BinanceConfigError(f"unsupported private key type {type(key).__name__}: use RSA or Ed25519")


ENV_API_KEY = "BINANCE_API_KEY"
ENV_API_SECRET = "BINANCE_API_SECRET"  # noqa: S105 (a variable name, not a secret)
ENV_PRIVATE_KEY_FILE = "BINANCE_PRIVATE_KEY_FILE"
ENV_PRIVATE_KEY_PASSPHRASE = "BINANCE_PRIVATE_KEY_PASSPHRASE"  # noqa: S105


def credentials_from_env(environ: Mapping[str, str] | None = None) -> Credentials:
    """Credentials from BINANCE_API_KEY and BINANCE_API_SECRET, or BINANCE_PRIVATE_KEY_FILE (+ passphrase)."""
    env = os.environ if environ is None else environ
    api_key = env.get(ENV_API_KEY, "")
    secret = env.get(ENV_API_SECRET, "")
    key_file = env.get(ENV_PRIVATE_KEY_FILE, "")
    if not api_key:
        raise BinanceConfigError(f"set {ENV_API_KEY} (and {ENV_API_SECRET} or {ENV_PRIVATE_KEY_FILE})")
    if secret and key_file:
        raise BinanceConfigError(f"set only one of {ENV_API_SECRET} and {ENV_PRIVATE_KEY_FILE}")
    if secret:
        return HmacCredentials(api_key, secret)
    if not key_file:
        raise BinanceConfigError(f"set {ENV_API_SECRET} or {ENV_PRIVATE_KEY_FILE} next to {ENV_API_KEY}")
    try:
        pem = Path(key_file).read_bytes()
    except OSError as error:
        raise BinanceConfigError(f"cannot read {ENV_PRIVATE_KEY_FILE} {key_file}: {error.strerror}") from None
    except ValueError:  # a NUL in the path (a mapping given to from_env can hold one)
        raise BinanceConfigError(f"cannot read {ENV_PRIVATE_KEY_FILE}: the path holds a NUL") from None
    return private_key_credentials(api_key, pem, env.get(ENV_PRIVATE_KEY_PASSPHRASE) or None)
