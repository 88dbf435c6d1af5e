"""The default async driver's HTTP on asyncio: aiohttp (llhttp's parser, its connection pool).

aiohttp does the protocol: framing, interim (1xx) answers, chunked bodies, keep-alive, and it drops a
pooled connection the server has closed (the close reaches its protocol while the loop runs) before
reusing it. This module adds what a Binance call needs around it:

- a pooled connection that received bytes while idle (an answer nobody asked for) is not reused
  (`_Connector`): they would be taken for the next request's answer;
- `timeout` is a deadline for the whole answer (aiohttp's `total` timeout: connect, send, headers, body);
- the body is read up to the cap and the connection dropped beyond it;
- every failure becomes a `TransportFailure` that says whether the request may have reached the server.
  That needs to know whether a connection was made: `_Connector` marks the request sent then (aiohttp's
  connector interface), so a deadline or a cancellation that comes while connecting is "not sent", and
  one that comes later is not. (httpx-aiohttp maps aiohttp's errors onto httpx's, and maps a server
  disconnect after sending to ConnectTimeout, which would report an unknown outcome as "not sent": it is
  not used for that reason.)

A session belongs to an event loop: a call from another loop (a second `asyncio.run`) opens a new one.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
from collections.abc import Mapping
from typing import Any, Final

import aiohttp
from yarl import URL

from ._routing import Proxy
from ._wire import (
    Answer,
    Origin,
    Reply,
    TransportFailure,
    WireRequest,
    aread_body,
    closed_during_call,
    cut_short,
    header_fields,
    tls_context,
)

_CHUNK: Final = 64 * 1024
_MAX_CONNECTIONS: Final = 100
_FRESH_TRIES: Final = 3
# No connection was made: whatever else failed did once the request had one (`_Connector` marks it).
_NOT_SENT: Final = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
_DIRECT: Final = (None, None, ())  # no proxy


# The request AiohttpSender.send is getting an answer for: `_Connector` marks it sent once it has a
# connection (its bytes may then leave).
_SENDING: Final[contextvars.ContextVar[WireRequest]] = contextvars.ContextVar("binance_margin_sending")


def _carries_bytes(connection: aiohttp.connector.Connection) -> bool:
    protocol = connection.protocol
    return protocol is not None and protocol.should_close


def _through(origin: Origin, proxy: Proxy) -> tuple[str, dict[str, str] | None, tuple[tuple[str, str], ...]]:
    """aiohttp's proxy, its CONNECT headers, and the headers a request adds, for `origin` through `proxy`.

    The proxy's password goes in a Proxy-Authorization header, not in its URL (aiohttp's errors quote the
    proxy URL): on the CONNECT for an https origin, on the request itself for an http one."""
    if proxy.auth is None:
        return proxy.address, None, ()
    credentials = base64.b64encode(":".join(proxy.auth).encode("utf-8")).decode("ascii")
    header = ("Proxy-Authorization", f"Basic {credentials}")
    if origin.scheme == "https":
        return proxy.address, dict([header]), ()
    return proxy.address, None, (header,)


class _Connector(aiohttp.TCPConnector):
    """aiohttp's TCP connector, marking the current request sent once it has a connection (new or pooled),
    and never handing out a pooled connection that received bytes while it was idle."""

    async def connect(self, req: Any, traces: Any, timeout: aiohttp.ClientTimeout) -> Any:
        connection = await super().connect(req, traces, timeout)
        # Bytes a pooled connection received while idle (an answer nobody asked for) would be taken for
        # this request's answer: aiohttp checks `should_close` (its protocol's public property) when a
        # connection goes back to the pool, not when it comes out. Each such connection is dropped for
        # the next (the pool holds at most _MAX_CONNECTIONS), then a few fresh ones are tried. Bytes that
        # reach a connection after this check cannot be told from its answer.
        for _ in range(_MAX_CONNECTIONS + _FRESH_TRIES):
            if not _carries_bytes(connection):
                break
            connection.close()
            connection = await super().connect(req, traces, timeout)
        if _carries_bytes(connection):
            connection.close()
            raise aiohttp.ClientConnectionError("no connection was free of bytes nobody asked for")
        _SENDING.get().sent = True
        return connection


class AiohttpSender:
    """Sends `WireRequest`s on an aiohttp session (see the module docstring).

    The session is made on first use in each event loop, with httpx's TLS defaults (certifi, or
    SSL_CERT_FILE / SSL_CERT_DIR). That TLS context is loaded here, when the client makes its sender
    before a call's first step: not between reserving weight for a rate-limit window and sending (see
    `_http_sync`). `proxies`: the environment's proxy per origin, given to aiohttp with each request
    (its own `trust_env` reads the environment on a worker thread per request, and no ALL_PROXY).
    """

    def __init__(self, *, max_response_bytes: int, proxies: Mapping[Origin, Proxy]) -> None:
        self._max_bytes = max_response_bytes
        self._closed = False
        self._proxies = {origin: _through(origin, proxy) for origin, proxy in proxies.items()}
        self._ssl_context = tls_context()
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}

    def _session_here(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None and self._loop is loop and not session.closed:
            return session
        session = aiohttp.ClientSession(
            connector=_Connector(limit=_MAX_CONNECTIONS, ssl=self._ssl_context),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,  # undone by the engine, within its cap
            raise_for_status=False,
        )
        self._session, self._loop = session, loop
        return session

    async def send(self, request: WireRequest) -> Reply:
        if self._closed:
            raise closed_during_call()
        session = self._session_here()
        timeout = self._timeouts.get(request.timeout)
        if timeout is None:
            timeout = self._timeouts[request.timeout] = aiohttp.ClientTimeout(total=request.timeout)
        proxy, proxy_headers, extra = self._proxies.get(request.origin, _DIRECT) if self._proxies else _DIRECT
        token = _SENDING.set(request)
        try:
            response = await session.request(
                request.method,
                URL(f"{request.origin.scheme}://{request.origin.netloc}{request.target}", encoded=True),
                headers=request.headers + extra if extra else request.headers,
                allow_redirects=False,
                timeout=timeout,
                proxy=proxy,
                proxy_headers=proxy_headers,
            )
        except Exception as error:  # disconnected, timed out, a malformed answer, anything unforeseen
            sent = request.sent and not isinstance(error, _NOT_SENT)
            return TransportFailure.of(error, sent=sent, request=request)
        finally:
            _SENDING.reset(token)
        problem = None
        try:
            length = response.content_length
            if length is not None and length <= self._max_bytes:
                data = await response.read()  # exactly Content-Length bytes, at most the cap
            else:  # no length, or more than the cap: read to the cap
                data, problem = await aread_body(response.content.iter_chunked(_CHUNK), self._max_bytes)
        except Exception as error:  # cut short, too slow
            data, problem = b"", cut_short(error)
        finally:
            if problem is None:
                response.release()
            else:  # the rest of the body is not read: the connection goes
                response.close()
        return Answer(response.status, header_fields(response.headers.items()), data, problem)

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None and not session.closed and self._loop is asyncio.get_running_loop():
            await session.close()
