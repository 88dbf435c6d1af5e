"""RFC 3986 percent-encoding and the signed query string: the bytes signed are the bytes sent."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import quote

from ._credentials import Credentials

# Text made only of unreserved characters is its own encoding: most names and values (timestamps,
# symbols, enums, signatures) skip quote(), which costs several times the check.
_UNRESERVED: Final = re.compile(r"[A-Za-z0-9\-._~]*")
_QUERY: Final = re.compile(r"[A-Za-z0-9\-._~=&]*")


def percent_encode(text: str) -> str:
    """Percent-encode UTF-8 `text` so that only RFC 3986 unreserved characters (A-Z a-z 0-9 - _ . ~) stay."""
    if _UNRESERVED.fullmatch(text):
        return text
    # quote() never escapes letters, digits and "_.-~"; safe="" makes it escape "/" too.
    return quote(text, safe="", encoding="utf-8")


def encode_pairs(pairs: Iterable[tuple[str, str]]) -> str:
    """`name=value&...` with every name and value percent-encoded, in the given order."""
    pairs = list(pairs)
    joined = "&".join(map("=".join, pairs))
    # Most queries are their own encoding: one check of the whole, when no part holds "=" or "&" itself.
    if _QUERY.fullmatch(joined) and joined.count("=") == len(pairs) and joined.count("&") == len(pairs) - 1:
        return joined
    return "&".join(f"{percent_encode(name)}={percent_encode(value)}" for name, value in pairs)


def signed_query(pairs: Iterable[tuple[str, str]], credentials: Credentials, signature_parameter: str) -> str:
    """The encoded query with the signature over exactly those bytes appended last."""
    return sign_payload(encode_pairs(pairs), credentials, f"&{percent_encode(signature_parameter)}=")


def sign_payload(payload: str, credentials: Credentials, signature_prefix: str) -> str:
    """`payload` (already percent-encoded) + `signature_prefix` ("&signature=", encoded) + the encoded
    signature over exactly the payload's bytes."""
    return payload + signature_prefix + percent_encode(credentials.sign(payload.encode("ascii")))
