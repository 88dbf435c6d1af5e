"""Signature verification for the three key kinds Binance accepts."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from ._scenario import ApiKey, ScenarioError

# payload (exactly the bytes received, signature removed), decoded signature value -> valid?
Verifier = Callable[[bytes, str], bool]


def verifier_for(key: ApiKey) -> Verifier:
    if key.kind == "HMAC":
        assert key.secret is not None
        return _hmac_verifier(key.secret.encode())
    assert key.public_key_pem is not None
    try:
        public = serialization.load_pem_public_key(key.public_key_pem)
    except (ValueError, TypeError) as error:  # not PEM, or PEM of something else
        raise ScenarioError(f"key {key.api_key!r}: its public key does not load: {error}") from None
    if key.kind == "RSA":
        if not isinstance(public, rsa.RSAPublicKey):
            raise ScenarioError(f"key {key.api_key!r} is declared RSA but is not an RSA public key")
        return _rsa_verifier(public)
    if not isinstance(public, ed25519.Ed25519PublicKey):
        raise ScenarioError(f"key {key.api_key!r} is declared ED25519 but is not an Ed25519 public key")
    return _ed25519_verifier(public)


def _hmac_verifier(secret: bytes) -> Verifier:
    def verify(payload: bytes, signature: str) -> bool:
        expected = hmac.new(secret, payload, hashlib.sha256).hexdigest()
        # A non-ASCII str cannot be compared (TypeError): it is no hex digest, so no valid signature.
        return signature.isascii() and hmac.compare_digest(expected, signature.lower())

    return verify


def _rsa_verifier(public: rsa.RSAPublicKey) -> Verifier:
    def verify(payload: bytes, signature: str) -> bool:
        raw = _b64(signature)
        if raw is None:
            return False
        try:
            public.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True

    return verify


def _ed25519_verifier(public: ed25519.Ed25519PublicKey) -> Verifier:
    def verify(payload: bytes, signature: str) -> bool:
        raw = _b64(signature)
        if raw is None:
            return False
        try:
            public.verify(raw, payload)
        except InvalidSignature:
            return False
        return True

    return verify


def _b64(value: str) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
