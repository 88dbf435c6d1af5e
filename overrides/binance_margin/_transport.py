"""A lean synchronous httpx transport over `http.client` keep-alive connections.

httpx's default transport (httpcore) costs most of httpx's per-call CPU. `HttpClientTransport` keeps
httpx's Client, Auth and Response API and swaps only the connection layer for the standard library's
`http.client`, which is several times cheaper per request:

    client = BinanceClient(credentials, transport=HttpClientTransport())

What it does: HTTP/1.1 keep-alive, one idle-connection pool per origin (`max_idle_per_origin`), http and
https (certificate verification on by default, with certifi's CA bundle as httpx does), httpx's
connect/read/write timeouts taken from each request, and socket errors mapped to httpx's exceptions
(`ConnectError`, `ConnectTimeout`, `ReadTimeout`, `WriteTimeout`, `ReadError`, `WriteError`,
`RemoteProtocolError`) so code that handles httpx errors keeps working.

What it does not do: HTTP/2, proxies, streaming (each response body is read whole before it is returned,
which suits JSON APIs). A pooled connection that the server closed while idle is detected before reuse
and replaced; a request is never re-sent after any of it was written, because Binance POSTs are not
idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import select
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Iterable

import httpx

__all__ = ["AsyncStreamTransport", "HttpClientTransport"]

_Origin = tuple[bytes, str, int]


def _default_ssl_context() -> ssl.SSLContext:
    try:
        import certifi  # only when the first https origin is used
    except ImportError:  # pragma: no cover - httpx depends on certifi
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def _timeouts(request: httpx.Request) -> tuple[float | None, float | None, float | None]:
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

    `verify`: True (certifi's CA bundle), False (no verification), or an `ssl.SSLContext`.
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
        if self._ssl_context is None:
            if self._verify is False:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            else:
                context = _default_ssl_context()
            self._ssl_context = context
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
        connect_timeout, read_timeout, write_timeout = _timeouts(request)
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
        response = httpx.Response(
            answer.status,
            headers=_raw_headers(answer.msg.items()),
            content=content,
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": answer.reason.encode("latin-1")},
        )
        return response, bool(answer.will_close)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pools, self._idle = self._idle, {}
        for idle in pools.values():
            for connection in idle:
                connection.close()


def url_target(url: httpx.URL) -> str:
    """The request target exactly as httpx encoded it (path and query bytes, verbatim)."""
    return url.raw_path.decode("ascii")


def _raw_headers(items: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in items]


# -- async ------------------------------------------------------------------------------------------------

_Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]
_NO_BODY_STATUSES = frozenset({204, 304})


@contextlib.asynccontextmanager
async def _deadline(seconds: float | None) -> AsyncIterator[None]:
    if seconds is None:
        yield
    else:
        async with asyncio.timeout(seconds):
            yield


class AsyncStreamTransport(httpx.AsyncBaseTransport):
    """httpx.AsyncBaseTransport over asyncio streams, HTTP/1.1 keep-alive (asyncio only, not trio).

    The async twin of `HttpClientTransport`, with the same scope and error mapping: one request per
    connection at a time, idle connections pooled per origin, bodies read whole (Content-Length, chunked,
    or until close). Concurrent requests open as many connections as they need (at most
    `max_connections_per_origin` at once; further requests wait for one to be free).
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        max_idle_per_origin: int = 100,
        max_connections_per_origin: int = 100,
    ) -> None:
        self._sync = HttpClientTransport(verify=verify)  # shares the lazy SSL context logic
        self._max_idle = max_idle_per_origin
        self._max_connections = max_connections_per_origin
        self._idle: dict[_Origin, list[_Stream]] = {}
        self._slots: dict[_Origin, asyncio.Semaphore] = {}
        self._closed = False

    async def _open(self, origin: _Origin, timeout: float | None) -> _Stream:
        scheme, host, port = origin
        if scheme not in (b"http", b"https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme.decode('ascii', 'replace')!r}")
        context = self._sync._context() if scheme == b"https" else None
        try:
            async with _deadline(timeout):
                reader, writer = await asyncio.open_connection(host, port, ssl=context)
        except TimeoutError as error:
            raise httpx.ConnectTimeout("timed out while connecting") from error
        except OSError as error:
            raise httpx.ConnectError(str(error) or type(error).__name__) from error
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return reader, writer

    def _checkout(self, origin: _Origin) -> _Stream | None:
        idle = self._idle.get(origin)
        while idle:
            reader, writer = idle.pop()
            # EOF on an idle connection: the server closed it while it was idle.
            if not writer.is_closing() and not reader.at_eof():
                return reader, writer
            writer.close()
        return None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        url = request.url
        scheme = url.raw_scheme
        origin: _Origin = (scheme, url.host, url.port or (443 if scheme == b"https" else 80))
        connect_timeout, read_timeout, write_timeout = _timeouts(request)
        slots = self._slots.get(origin)
        if slots is None:
            slots = self._slots[origin] = asyncio.Semaphore(self._max_connections)
        async with slots:
            stream = self._checkout(origin) or await self._open(origin, connect_timeout)
            try:
                response, keep = await self._exchange(stream, request, read_timeout, write_timeout)
            except BaseException:
                stream[1].close()
                raise
            idle = self._idle.setdefault(origin, [])
            if keep and not self._closed and len(idle) < self._max_idle:
                idle.append(stream)
            else:
                stream[1].close()
            return response

    async def _exchange(
        self,
        stream: _Stream,
        request: httpx.Request,
        read_timeout: float | None,
        write_timeout: float | None,
    ) -> tuple[httpx.Response, bool]:
        reader, writer = stream
        body = await request.aread()
        head = [f"{request.method} {url_target(request.url)} HTTP/1.1\r\n".encode("ascii")]
        head += [name + b": " + value + b"\r\n" for name, value in request.headers.raw]
        try:
            writer.write(b"".join(head) + b"\r\n" + body)
            async with _deadline(write_timeout):
                await writer.drain()
        except TimeoutError as error:
            raise httpx.WriteTimeout("timed out while sending", request=request) from error
        except OSError as error:
            raise httpx.WriteError(str(error) or type(error).__name__, request=request) from error
        try:
            async with _deadline(read_timeout):
                status, reason, headers, keep = _parse_head(await reader.readuntil(b"\r\n\r\n"))
                content = await _read_body(reader, request.method, status, headers)
        except TimeoutError as error:
            raise httpx.ReadTimeout("timed out while reading", request=request) from error
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
            raise httpx.RemoteProtocolError(
                f"malformed or incomplete response: {type(error).__name__}", request=request
            ) from error
        except OSError as error:
            raise httpx.ReadError(str(error) or type(error).__name__, request=request) from error
        response = httpx.Response(
            status,
            headers=headers,
            content=content,
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )
        return response, keep

    async def aclose(self) -> None:
        self._closed = True
        pools, self._idle = self._idle, {}
        for idle in pools.values():
            for _, writer in idle:
                writer.close()
        self._sync.close()


def _parse_head(data: bytes) -> tuple[int, bytes, list[tuple[bytes, bytes]], bool]:
    """Status, reason, headers and whether the connection stays open, from a response head."""
    lines = data[:-4].split(b"\r\n")
    version, _, rest = lines[0].partition(b" ")
    code, _, reason = rest.partition(b" ")
    if not version.startswith(b"HTTP/1.") or len(code) != 3:
        raise ValueError(f"bad status line {lines[0][:80]!r}")
    headers = []
    keep = version == b"HTTP/1.1"
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            raise ValueError(f"bad header line {line[:80]!r}")
        value = value.strip()
        if name.lower() == b"connection":
            tokens = value.lower()
            keep = b"close" not in tokens and (keep or b"keep-alive" in tokens)
        headers.append((name, value))
    return int(code), reason, headers, keep


async def _read_body(
    reader: asyncio.StreamReader, method: str, status: int, headers: list[tuple[bytes, bytes]]
) -> bytes:
    if method == "HEAD" or status in _NO_BODY_STATUSES or 100 <= status < 200:
        return b""
    fields = {name.lower(): value for name, value in headers}
    if b"chunked" in fields.get(b"transfer-encoding", b"").lower():
        chunks: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                    pass
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    length = fields.get(b"content-length")
    if length is not None:
        return await reader.readexactly(int(length))
    return await reader.read()  # no length: the body runs until the server closes
