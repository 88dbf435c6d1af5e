"""The cheap constructions of httpx's Request and Response leave exactly the objects httpx's public API
builds: attribute by attribute, so a change inside httpx that they rely on fails here."""

from __future__ import annotations

import gzip
from typing import Any

import httpx
import pytest
from binance_margin._auth import _bodiless_request
from binance_margin._transport import read_response
from hypothesis import given, settings
from hypothesis import strategies as st

_EXTENSIONS = {"http_version": b"HTTP/1.1", "reason_phrase": b"OK"}
_header_names = st.sampled_from([b"Content-Type", b"X-MBX-USED-WEIGHT-1M", b"Retry-After", b"Date", b"x-a"])
_headers = st.lists(
    st.tuples(_header_names, st.binary(min_size=0, max_size=12).map(bytes.hex).map(str.encode))
)


def _state(response: httpx.Response) -> dict[str, Any]:
    """Everything a Response holds, aside from its stream object (a fresh ByteStream either way) and the
    content decoder that read() caches on the way (the fast path has nothing to decode)."""
    state = {name: value for name, value in vars(response).items() if name not in ("stream", "_decoder")}
    state["headers"] = response.headers.multi_items()
    return state


def _read_the_public_way(
    status: int, headers: list[tuple[bytes, bytes]], content: bytes, request: httpx.Request
) -> httpx.Response:
    # What httpx's own transports hand back (a stream), then read() as the client does.
    response = httpx.Response(
        status, headers=headers, stream=httpx.ByteStream(content), request=request, extensions=_EXTENSIONS
    )
    response.read()
    return response


@settings(max_examples=200, database=None)
@given(
    status=st.sampled_from([200, 204, 400, 418, 429, 503]), headers=_headers, content=st.binary(max_size=64)
)
def test_read_response_is_httpx_response_after_read(
    status: int, headers: list[tuple[bytes, bytes]], content: bytes
) -> None:
    request = httpx.Request("GET", "http://127.0.0.1/x")
    fast = read_response(status, headers, content, request, _EXTENSIONS, encoded=False)
    public = _read_the_public_way(status, headers, content, request)
    assert _state(fast) == _state(public)
    assert fast.content == content and fast.is_closed and fast.is_stream_consumed
    assert fast.num_bytes_downloaded == len(content)


def test_an_encoded_body_is_decoded_as_httpx_decodes_it() -> None:
    body = b'{"code":200,"msg":"success"}'
    headers = [(b"Content-Encoding", b"gzip"), (b"Content-Type", b"application/json")]
    request = httpx.Request("GET", "http://127.0.0.1/x")
    fast = read_response(200, headers, gzip.compress(body), request, _EXTENSIONS, encoded=True)
    assert fast.content == body
    assert fast.json() == {"code": 200, "msg": "success"}
    assert _state(fast) == _state(_read_the_public_way(200, headers, gzip.compress(body), request))


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "headers",
    [
        [],
        [("Accept", "*/*"), ("User-Agent", "python-httpx/0.28.1")],
        [("Host", "elsewhere.example")],
        [("Content-Length", "0"), ("X-MBX-APIKEY", "k")],
        [("Transfer-Encoding", "chunked")],
    ],
)
@pytest.mark.parametrize(
    "url", ["https://api.binance.com", "http://127.0.0.1:8765/prefix", "http://[::1]:80"]
)
def test_bodiless_request_is_httpx_request(method: str, headers: list[tuple[str, str]], url: str) -> None:
    extensions = {"timeout": {"connect": 1.0, "read": 2.0, "write": 3.0, "pool": 4.0}}
    fast = _bodiless_request(method, httpx.URL(url), httpx.Headers(headers), extensions)
    public = httpx.Request(method, httpx.URL(url), headers=httpx.Headers(headers), extensions=extensions)
    assert fast.method == public.method and fast.url == public.url
    assert fast.headers.raw == public.headers.raw
    assert fast.content == public.content == b""
    assert fast.extensions == public.extensions
    assert {name for name in vars(fast) if name != "stream"} == {
        name for name in vars(public) if name != "stream"
    }
