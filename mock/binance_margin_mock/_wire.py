"""The signed payload as it came over the wire: parameters, the signed bytes and the signature."""

from __future__ import annotations

import dataclasses
import re
from typing import Final
from urllib.parse import unquote_to_bytes

from binance_margin_api.spec_metadata import SIGNING

from ._errors import Err, MockError

_SIGNATURE_KEY: Final = SIGNING.signature_parameter.encode() + b"="
# One field of an RFC 3986 percent-encoded payload: a name and a value of unreserved characters and %XX
# escapes, joined by the one "=" (a "=" or "%" inside a value would have been escaped).
_ENCODED: Final = rb"(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})"
_ENCODED_FIELD: Final = re.compile(_ENCODED + rb"+(?:=" + _ENCODED + rb"*)?")


@dataclasses.dataclass(frozen=True, slots=True)
class SignedPayload:
    params: dict[str, str]
    signed: bytes  # query string + form body, without the signature: what the signature covers
    signature: str


def parse_params(query: bytes, body: bytes) -> dict[str, str]:
    """Decoded parameters from the query and the form body. A name repeated within one of them is -1101;
    a name in both takes the query's value, as Binance's general info says."""
    params: dict[str, str] = {}
    for part in (body, query):  # the query last: its values win
        if part:
            found: dict[str, str] = {}
            _decode_into(part, found)
            params.update(found)
    return params


def split_signed(query: bytes, body: bytes, *, strict_encoding: bool) -> SignedPayload:
    """Find the signature (exactly once, last of query+body) and the bytes it must cover."""
    last_is_body = bool(body)
    tail = body if last_is_body else query
    cut = tail.rfind(b"&" + _SIGNATURE_KEY)
    if cut >= 0:
        signature_field, kept = tail[cut + 1 :], tail[:cut]
    elif tail.startswith(_SIGNATURE_KEY):
        signature_field, kept = tail, b""
    elif _has_key(query) or _has_key(body):
        raise MockError(Err.SIGNATURE)  # not the last parameter
    else:  # Binance: "Mandatory parameter 'signature' was not sent, ..."
        raise MockError(Err.MANDATORY, param=SIGNING.signature_parameter)
    if b"&" in signature_field:
        raise MockError(Err.SIGNATURE)
    if _has_key(kept) or (last_is_body and _has_key(query)):
        raise MockError(Err.SIGNATURE)  # a second signature
    signed = query + kept if last_is_body else kept
    if strict_encoding and not all(_encoded(part) for part in ((query, kept) if last_is_body else (kept,))):
        # The payload holds bytes percent-encoding would have escaped: it was signed un-encoded.
        raise MockError(Err.SIGNATURE)
    params = parse_params(query if last_is_body else kept, kept if last_is_body else b"")
    signature = _decode(signature_field[len(_SIGNATURE_KEY) :], SIGNING.signature_parameter)
    if not signature:
        raise MockError(Err.MANDATORY, param=SIGNING.signature_parameter)
    return SignedPayload(params=params, signed=signed, signature=signature)


def _encoded(part: bytes) -> bool:
    # The query and the body each (Binance signs the two joined with no separator between them).
    return all(_ENCODED_FIELD.fullmatch(field) for field in part.split(b"&") if field)


def _has_key(part: bytes) -> bool:
    return _SIGNATURE_KEY in part and any(field.startswith(_SIGNATURE_KEY) for field in part.split(b"&"))


def _decode_into(part: bytes, params: dict[str, str]) -> None:
    for field in part.split(b"&"):
        if not field:
            continue
        raw_name, _, raw_value = field.partition(b"=")
        name = _decode(raw_name, "?")
        if name in params:
            raise MockError(Err.DUPLICATE_PARAM)
        params[name] = _decode(raw_value, name)


def _decode(raw: bytes, name: str) -> str:
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise MockError(Err.ILLEGAL_CHARS, param=name, pattern="UTF-8") from None
