"""Known-answer tests: Binance's published HMAC vectors, and RSA/Ed25519 verified with the public key."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest
from binance_margin import (
    HmacCredentials,
    encode_pairs,
    percent_encode,
    private_key_credentials,
    signed_query,
)
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

SPOT_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
SPOT_TAIL = (
    "&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            "symbol=LTCBTC" + SPOT_TAIL,
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
        ),
        (
            "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96" + SPOT_TAIL,
            "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3",
        ),
    ],
    ids=["ascii", "full-width-symbol"],
)
def test_binance_published_hmac_vectors(payload: str, expected: str) -> None:
    assert HmacCredentials("key", SPOT_SECRET).sign(payload.encode()) == expected


def test_full_width_symbol_is_percent_encoded_as_in_the_vector() -> None:
    assert percent_encode("１２３４５６") == "%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96"


def test_usdm_futures_docs_example() -> None:
    secret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
    pairs = [
        ("symbol", "BTCUSDT"),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("quantity", "1"),
        ("price", "9000"),
        ("timeInForce", "GTC"),
        ("recvWindow", "5000"),
        ("timestamp", "1591702613943"),
    ]
    query = signed_query(pairs, HmacCredentials("key", secret), "signature")
    assert query.endswith("&signature=3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9")


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("BTC,ETH", "BTC%2CETH"),
        ("a b+c", "a%20b%2Bc"),
        ("A-Z_a.z~0", "A-Z_a.z~0"),
        ("币安人生USDT", "%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT"),
        ("/=&?", "%2F%3D%26%3F"),
    ],
)
def test_rfc3986_percent_encoding(text: str, encoded: str) -> None:
    assert percent_encode(text) == encoded


def test_encode_pairs_keeps_order_and_encodes_names() -> None:
    assert encode_pairs([("b", "1"), ("a b", "x,y")]) == "b=1&a%20b=x%2Cy"


RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_EMPTY_SIGNATURE = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


def _pem(key: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey, password: bytes | None = None) -> bytes:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def test_ed25519_rfc8032_test_key_1_signs_the_published_vector() -> None:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(RFC8032_SEED)
    credentials = private_key_credentials("key", _pem(key))
    signature = base64.b64decode(credentials.sign(b""))
    assert signature == RFC8032_EMPTY_SIGNATURE  # RFC 8032 section 7.1, TEST 1


def test_ed25519_signature_verifies_with_the_public_key() -> None:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(RFC8032_SEED)
    credentials = private_key_credentials("key", _pem(key, b"pass phrase"), "pass phrase")
    payload = b"assetNames=BTC%2CETH&recvWindow=5000&timestamp=1499827319559"
    encoded = credentials.sign(payload)
    assert len(encoded) == 88
    public = ed25519.Ed25519PublicKey.from_public_bytes(RFC8032_PUBLIC)
    public.verify(base64.b64decode(encoded), payload)  # raises InvalidSignature when wrong


def test_rsa_signature_verifies_with_the_public_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    credentials = private_key_credentials("key", _pem(key))
    payload = b"symbol=%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT&marginType=ISOLATED&timestamp=1"
    signature = base64.b64decode(credentials.sign(payload))
    key.public_key().verify(signature, payload, padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        key.public_key().verify(signature, payload + b"x", padding.PKCS1v15(), hashes.SHA256())


@settings(max_examples=500, database=None, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.sampled_from("aZ09-_.~=&% ,+/币"), max_size=6),
            st.text(alphabet=st.sampled_from("aZ09-_.~=&% ,+/币"), max_size=6),
        ),
        max_size=4,
    )
)
def test_encode_pairs_is_rfc3986_of_every_name_and_value(pairs: list[tuple[str, str]]) -> None:
    # The whole-query shortcut must give what encoding each part does, "=" and "&" inside parts included.
    expected = "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs)
    assert encode_pairs(pairs) == expected
