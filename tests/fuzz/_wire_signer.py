"""Signs at the `requests` layer, after schemathesis serialised the query: what is signed is what is sent."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests

from tests.mock._signer import Credentials, encode


class WireSigner(requests.auth.AuthBase):
    """Re-encodes the query per RFC 3986, appends timestamp and signature, sets the API key.

    `tamper_next` makes the next request carry a signature with one character changed.
    """

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self.tamper_next = False

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        assert request.url is not None
        parts = urlsplit(request.url)
        if not parts.path.startswith(("/sapi/", "/fapi/")):
            return request
        fields = parse_qsl(parts.query, keep_blank_values=True)
        fields.append(("timestamp", str(time.time_ns() // 1_000_000)))
        payload = encode(fields)
        signature = self.credentials.sign(payload.encode())
        if self.tamper_next:
            self.tamper_next = False
            signature = ("1" if signature[0] == "0" else "0") + signature[1:]
        request.url = urlunsplit(parts._replace(query=f"{payload}&signature={signature}"))
        request.headers["X-MBX-APIKEY"] = self.credentials.api_key
        return request
