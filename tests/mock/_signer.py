"""A small signer written independently of the client package: the mock's tests must not grade
the mock with the code under test elsewhere. RFC 3986 encode, then sign exactly those bytes."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
from collections.abc import Sequence
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from binance_margin_mock import DEFAULT_SCENARIO, load_scenario
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

Kind = Literal["HMAC", "RSA", "ED25519"]
Params = Sequence[tuple[str, str]]


@dataclasses.dataclass(frozen=True)
class Credentials:
    api_key: str
    kind: Kind
    secret: str | None = None
    private_key_file: Path | None = None

    def sign(self, payload: bytes) -> str:
        """The signature parameter's value as it goes on the wire (percent-encoded for base64)."""
        if self.kind == "HMAC":
            assert self.secret is not None
            return hmac.new(self.secret.encode(), payload, hashlib.sha256).hexdigest()
        assert self.private_key_file is not None
        key = serialization.load_pem_private_key(self.private_key_file.read_bytes(), password=None)
        if isinstance(key, rsa.RSAPrivateKey):
            raw = key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        else:
            assert isinstance(key, ed25519.Ed25519PrivateKey)
            raw = key.sign(payload)
        return quote(base64.b64encode(raw).decode(), safe="")


def encode(params: Params) -> str:
    """RFC 3986: only A-Z a-z 0-9 - _ . ~ stay as they are."""
    return "&".join(f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}" for name, value in params)


def demo_credentials() -> dict[str, Credentials]:
    """The default scenario's keys by kind (the first account), plus "HMAC2" for the second account."""
    scenario = load_scenario(DEFAULT_SCENARIO)
    found: dict[str, Credentials] = {}
    for index, account in enumerate(scenario.accounts):
        for key in account.keys:
            name = key.kind if index == 0 else f"{key.kind}{index + 1}"
            found[name] = Credentials(key.api_key, key.kind, key.secret, key.private_key_file)
    return found
