"""RFC 3986 percent-encoding and the signed query string: the bytes signed are the bytes sent."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from ._credentials import Credentials


def percent_encode(text: str) -> str:
    """Percent-encode UTF-8 `text` so that only RFC 3986 unreserved characters (A-Z a-z 0-9 - _ . ~) stay."""
    # quote() never escapes letters, digits and "_.-~"; safe="" makes it escape "/" too.
    return quote(text, safe="", encoding="utf-8")


def encode_pairs(pairs: Iterable[tuple[str, str]]) -> str:
    """`name=value&...` with every name and value percent-encoded, in the given order."""
    return "&".join(f"{percent_encode(name)}={percent_encode(value)}" for name, value in pairs)


def signed_query(pairs: Iterable[tuple[str, str]], credentials: Credentials, signature_parameter: str) -> str:
    """The encoded query with the signature over exactly those bytes appended last."""
    payload = encode_pairs(pairs)
    signature = credentials.sign(payload.encode("ascii"))
    return f"{payload}&{percent_encode(signature_parameter)}={percent_encode(signature)}"
