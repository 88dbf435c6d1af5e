"""A lean asyncio httpx transport over asyncio streams: the async client's default.

The async twin of `HttpClientTransport` (`_transport.py`), with the same scope, TLS defaults and error
mapping. It serves asyncio event loops; under another event loop (trio, through anyio) it hands each
request to httpx's own `AsyncHTTPTransport`, so an `AsyncClient` built on it works everywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import AsyncIterator

import httpx

from ._transport import timeouts, url_target

__all__ = ["AsyncStreamTransport"]

_Origin = tuple[bytes, str, int]


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
    """httpx.AsyncBaseTransport over asyncio streams, HTTP/1.1 keep-alive (see the module docstring).

    One request per connection at a time, idle connections pooled per origin, bodies read whole
    (Content-Length, chunked, or until close). Concurrent requests open as many connections as they need
    (at most `max_connections_per_origin` at once; further requests wait for one to be free). Pools and
    limits belong to one event loop: when the transport is used from a new loop (a second
    `asyncio.run`), the previous loop's connections are dropped.
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        max_idle_per_origin: int = 100,
        max_connections_per_origin: int = 100,
    ) -> None:
        self._verify = verify
        self._ssl_context: ssl.SSLContext | None = verify if isinstance(verify, ssl.SSLContext) else None
        self._foreign: httpx.AsyncHTTPTransport | None = None  # for non-asyncio event loops
        self._loop: asyncio.AbstractEventLoop | None = None
        self._max_idle = max_idle_per_origin
        self._max_connections = max_connections_per_origin
        self._idle: dict[_Origin, list[_Stream]] = {}
        self._slots: dict[_Origin, asyncio.Semaphore] = {}
        self._closed = False

    def _context(self) -> ssl.SSLContext:
        # Built on the first https connection: creating a context loads the CA bundle (~20 ms).
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context(verify=self._verify)
        return self._ssl_context

    def _enter_loop(self) -> bool:
        """Bind the pools to the running asyncio loop; False when not running under asyncio."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        if loop is not self._loop:
            # Streams and semaphores of another (finished) loop cannot be used in this one.
            self._loop, self._idle, self._slots = loop, {}, {}
        return True

    async def _open(self, origin: _Origin, timeout: float | None) -> _Stream:
        scheme, host, port = origin
        if scheme not in (b"http", b"https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme.decode('ascii', 'replace')!r}")
        context = self._context() if scheme == b"https" else None
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
        if not self._enter_loop():
            if self._foreign is None:
                self._foreign = httpx.AsyncHTTPTransport(verify=self._context())
            return await self._foreign.handle_async_request(request)
        url = request.url
        scheme = url.raw_scheme
        origin: _Origin = (scheme, url.host, url.port or (443 if scheme == b"https" else 80))
        connect_timeout, read_timeout, write_timeout = timeouts(request)
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
        if self._foreign is not None:
            await self._foreign.aclose()


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
