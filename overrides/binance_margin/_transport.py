"""A lean synchronous httpx transport over `http.client` keep-alive connections: the client's default.

httpx's own transport (httpcore) costs most of httpx's per-call CPU. `HttpClientTransport` keeps httpx's
Request/Response types and exceptions and swaps only the connection layer for the standard library's
`http.client`, which is several times cheaper per request. `BinanceClient` uses it unless a transport is
given or proxy environment variables are set (then httpx's own transport, which honours them, is used).

What it does: HTTP/1.1 keep-alive, one idle-connection pool per origin (`max_idle_per_origin`), http and
https with httpx's TLS defaults (`httpx.create_ssl_context`: certifi's CA bundle, or SSL_CERT_FILE /
SSL_CERT_DIR), httpx's connect/read/write timeouts taken from each request, and socket errors mapped to
httpx's exceptions (`ConnectError`, `ConnectTimeout`, `ReadTimeout`, `WriteTimeout`, `ReadError`,
`WriteError`, `RemoteProtocolError`) so code that handles httpx errors keeps working.

What it does not do: HTTP/2, proxies, streaming (each response body is read whole before it is returned,
which suits JSON APIs). A pooled connection that the server closed while idle is detected before reuse
and replaced; a request is never re-sent after any of it was written, because Binance POSTs are not
idempotent.
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
from collections.abc import Iterable
from typing import Any

import httpx

__all__ = ["HttpClientTransport"]

_Origin = tuple[bytes, str, int]


def timeouts(request: httpx.Request) -> tuple[float | None, float | None, float | None]:
    timeout: dict[str, float | None] = request.extensions.get("timeout", {})
    return timeout.get("connect"), timeout.get("read"), timeout.get("write")


def _peer_closed(sock: socket.socket | None) -> bool:
    """True when an idle keep-alive socket is readable: the server closed it (or sent junk)."""
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class HttpClientTransport(httpx.BaseTransport):
    """httpx.BaseTransport over `http.client` keep-alive connections (see the module docstring).

    `verify`: True (httpx's default context), False (no verification), or an `ssl.SSLContext`.
    Thread-safe: each request takes a connection out of the pool for its whole duration.
    """

    def __init__(self, *, verify: ssl.SSLContext | bool = True, max_idle_per_origin: int = 10) -> None:
        self._verify = verify
        self._ssl_context: ssl.SSLContext | None = verify if isinstance(verify, ssl.SSLContext) else None
        self._max_idle = max_idle_per_origin
        self._idle: dict[_Origin, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._closed = False

    # -- the pool ---------------------------------------------------------------------------------------

    def _context(self) -> ssl.SSLContext:
        # Built on the first https connection: creating a context loads the CA bundle (~20 ms).
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context(verify=self._verify)
        return self._ssl_context

    def _checkout(self, origin: _Origin) -> http.client.HTTPConnection | None:
        with self._lock:
            idle = self._idle.get(origin)
            while idle:
                connection = idle.pop()
                if not _peer_closed(connection.sock):
                    return connection
                connection.close()
        return None

    def _checkin(self, origin: _Origin, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if self._closed or len(idle) >= self._max_idle:
                connection.close()
            else:
                idle.append(connection)

    def _connect(self, origin: _Origin, connect_timeout: float | None) -> http.client.HTTPConnection:
        scheme, host, port = origin
        connection: http.client.HTTPConnection
        if scheme == b"https":
            connection = http.client.HTTPSConnection(
                host, port, timeout=connect_timeout, context=self._context()
            )
        elif scheme == b"http":
            connection = http.client.HTTPConnection(host, port, timeout=connect_timeout)
        else:
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme.decode('ascii', 'replace')!r}")
        try:
            connection.connect()
        except TimeoutError as error:
            connection.close()
            raise httpx.ConnectTimeout(str(error) or "timed out while connecting") from error
        except OSError as error:  # refused, unreachable, DNS (socket.gaierror), TLS handshake (SSLError)
            connection.close()
            raise httpx.ConnectError(str(error) or type(error).__name__) from error
        if connection.sock is not None:
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    # -- one request ------------------------------------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        url = request.url
        scheme = url.raw_scheme
        port = url.port or (443 if scheme == b"https" else 80)
        origin: _Origin = (scheme, url.host, port)
        connect_timeout, read_timeout, write_timeout = timeouts(request)
        connection = self._checkout(origin) or self._connect(origin, connect_timeout)
        try:
            response, will_close = self._exchange(connection, request, read_timeout, write_timeout)
        except BaseException:
            connection.close()
            raise
        if will_close:
            connection.close()
        else:
            self._checkin(origin, connection)
        return response

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        request: httpx.Request,
        read_timeout: float | None,
        write_timeout: float | None,
    ) -> tuple[httpx.Response, bool]:
        """Send `request` on `connection`; the response (body read) and whether the server closes."""
        sock = connection.sock
        assert sock is not None
        body = request.read()  # bytes bodies are already read; a sync stream is read here
        try:
            sock.settimeout(write_timeout)
            # Send exactly httpx's headers (Host, Accept-Encoding, Content-Length...): add none of our own.
            connection.putrequest(
                request.method, url_target(request.url), skip_host=True, skip_accept_encoding=True
            )
            for name, value in request.headers.raw:
                connection.putheader(name, value)
            connection.endheaders(body or None)
        except TimeoutError as error:
            raise httpx.WriteTimeout(str(error) or "timed out while sending", request=request) from error
        except OSError as error:
            raise httpx.WriteError(str(error) or type(error).__name__, request=request) from error
        try:
            sock.settimeout(read_timeout)
            answer = connection.getresponse()
            content = answer.read()
        except TimeoutError as error:
            raise httpx.ReadTimeout(str(error) or "timed out while reading", request=request) from error
        except http.client.HTTPException as error:  # RemoteDisconnected, IncompleteRead, BadStatusLine...
            raise httpx.RemoteProtocolError(str(error) or type(error).__name__, request=request) from error
        except OSError as error:
            raise httpx.ReadError(str(error) or type(error).__name__, request=request) from error
        response = read_response(
            answer.status,
            _raw_headers(answer.msg.items()),
            content,
            request,
            {"http_version": b"HTTP/1.1", "reason_phrase": answer.reason.encode("latin-1")},
            encoded=answer.getheader("Content-Encoding") is not None,
        )
        return response, bool(answer.will_close)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pools, self._idle = self._idle, {}
        for idle in pools.values():
            for connection in idle:
                connection.close()


def read_response(
    status: int,
    headers: list[tuple[bytes, bytes]],
    content: bytes,
    request: httpx.Request,
    extensions: dict[str, Any],
    *,
    encoded: bool,
) -> httpx.Response:
    """The response as httpx's own transports give it once `read()`: headers as received, the body
    decoded by its Content-Encoding (gzip, deflate, br, zstd; `encoded`: the headers name one).

    A body with no Content-Encoding needs no decoding: instead of httpx's read() (~6 µs of decoder and
    chunker machinery per call) the response is given the state read() leaves, `_content` and the
    consumed/closed flags (httpx 0.28; the dependency is pinned <0.29, and a test compares the two
    ways attribute by attribute).
    """
    response = httpx.Response(
        status, headers=headers, stream=httpx.ByteStream(content), request=request, extensions=extensions
    )
    if encoded:
        response.read()
    else:
        response._content = content
        response._num_bytes_downloaded = len(content)
        response.is_stream_consumed = True
        response.is_closed = True
    return response


def url_target(url: httpx.URL) -> str:
    """The request target exactly as httpx encoded it (path and query bytes, verbatim)."""
    return url.raw_path.decode("ascii")


def _raw_headers(items: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in items]
