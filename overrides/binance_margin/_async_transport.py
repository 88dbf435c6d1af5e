"""A lean asyncio httpx transport over an HTTP/1.1 protocol: the async client's default.

The async twin of `HttpClientTransport` (`_transport.py`), with the same scope, TLS defaults and error
mapping. Each connection is an `asyncio.Protocol` that parses the response as its bytes arrive and
resolves one future per request: no stream reader in between, no task, one timer for the read deadline
(asyncio streams cost about half again as much CPU per request, see BENCHMARKS.md). It serves asyncio
event loops; under another event loop (trio, through anyio) it hands each request to httpx's own
`AsyncHTTPTransport`, so an `AsyncClient` built on it works everywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from typing import NamedTuple

import httpx

from ._transport import read_response, timeouts, url_target

__all__ = ["AsyncStreamTransport"]

_Origin = tuple[bytes, str, int]
_NO_BODY_STATUSES = frozenset({204, 304})


class _Answer(NamedTuple):
    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    content: bytes
    keep_alive: bool
    encoded: bool  # a Content-Encoding header: httpx decodes the content


class _Incomplete(Exception):
    """The connection ended before the response did."""


class _Head(NamedTuple):
    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    keep_alive: bool
    length: bytes | None  # Content-Length
    chunked: bool
    encoded: bool  # Content-Encoding


def _parse_head(data: bytes) -> _Head:
    """A response head: status line and headers, and what they say about the body and the connection."""
    lines = data.split(b"\r\n")
    version, _, rest = lines[0].partition(b" ")
    code, _, reason = rest.partition(b" ")
    if not version.startswith(b"HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise ValueError(f"bad status line {lines[0][:80]!r}")
    headers = []
    keep = version == b"HTTP/1.1"
    length: bytes | None = None
    chunked = encoded = False
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            raise ValueError(f"bad header line {line[:80]!r}")
        value = value.strip()
        lowered = name.lower()
        if lowered == b"content-length":
            length = value
        elif lowered == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif lowered == b"content-encoding":
            encoded = True
        elif lowered == b"connection":
            tokens = value.lower()
            keep = b"close" not in tokens and (keep or b"keep-alive" in tokens)
        headers.append((name, value))
    return _Head(int(code), reason, headers, keep, length, chunked, encoded)


def _chunked(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """A chunked body from `start`: (content, end), or None until all of it has arrived."""
    chunks: list[bytes] = []
    position = start
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        size = int(bytes(buffer[position:line_end]).split(b";")[0].strip(), 16)
        position = line_end + 2
        if size == 0:
            trailers_end = buffer.find(b"\r\n\r\n", position - 2)  # the empty line ends the trailers
            if trailers_end < 0:
                return None
            return b"".join(chunks), trailers_end + 4
        if len(buffer) < position + size + 2:
            return None
        chunks.append(bytes(buffer[position : position + size]))
        position += size + 2


def parse_response(buffer: bytearray, method: str, *, ended: bool) -> tuple[_Answer, int] | None:
    """The first complete response in `buffer` and the bytes it took, or None while more is due.

    `ended`: the connection ended, so a body without a length ends here and a cut-off response raises
    `_Incomplete`. A malformed response raises ValueError.
    """
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        if ended:
            raise _Incomplete("the connection ended inside the response head")
        return None
    status, reason, headers, keep, length, chunked, encoded = _parse_head(bytes(buffer[:head_end]))
    start = head_end + 4
    if method == "HEAD" or status in _NO_BODY_STATUSES or 100 <= status < 200:
        return _Answer(status, reason, headers, b"", keep, encoded), start
    if chunked:
        found = _chunked(buffer, start)
        if found is None:
            if ended:
                raise _Incomplete("the connection ended inside a chunked body")
            return None
        content, end = found
        return _Answer(status, reason, headers, content, keep, encoded), end
    if length is not None:
        end = start + int(length)
        if len(buffer) < end:
            if ended:
                raise _Incomplete("the connection ended before Content-Length bytes arrived")
            return None
        return _Answer(status, reason, headers, bytes(buffer[start:end]), keep, encoded), end
    if not ended:  # no length: the body runs until the server closes
        return None
    return _Answer(status, reason, headers, bytes(buffer[start:]), False, encoded), len(buffer)


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time, its response parsed as the bytes arrive."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.ended = False
        self._buffer = bytearray()
        self._method = "GET"
        self._waiter: asyncio.Future[_Answer] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._deliver(ended=False)

    def eof_received(self) -> bool:
        self.ended = True
        self._deliver(ended=True)
        return False  # let asyncio close the transport

    def connection_lost(self, error: Exception | None) -> None:
        self.ended = True
        self._deliver(ended=True, error=error)
        if self._drained is not None and not self._drained.done():
            self._drained.set_exception(error or ConnectionResetError("the connection was closed"))

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def _deliver(self, *, ended: bool, error: Exception | None = None) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        try:
            found = parse_response(self._buffer, self._method, ended=ended)
        except _Incomplete as incomplete:
            if error is not None:
                waiter.set_exception(error)
            else:
                waiter.set_exception(incomplete)
            return
        except ValueError as malformed:
            waiter.set_exception(malformed)
            return
        if found is None:
            return
        answer, used = found
        # Anything after the response (it was not asked for) makes the connection unfit for reuse.
        leftover = len(self._buffer) > used
        del self._buffer[:used]
        waiter.set_result(answer._replace(keep_alive=False) if leftover else answer)

    @property
    def reusable(self) -> bool:
        """Open, and nothing arrived while idle (a close, or bytes nobody asked for)."""
        transport = self.transport
        return not self.ended and not self._buffer and transport is not None and not transport.is_closing()

    def _expire(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(TimeoutError())

    async def exchange(
        self, data: bytes, method: str, read_timeout: float | None, write_timeout: float | None
    ) -> _Answer:
        """Send `data`; the response. Raises WriteTimeout / OSError / TimeoutError / _Incomplete."""
        transport = self.transport
        if transport is None or self.ended:
            raise ConnectionResetError("the connection was closed before the request was sent")
        loop = asyncio.get_running_loop()
        self._method = method
        waiter: asyncio.Future[_Answer] = loop.create_future()
        self._waiter = waiter
        transport.write(data)
        if self._paused:  # more than the write buffer's high-water mark is waiting to be sent
            self._drained = loop.create_future()
            try:
                async with asyncio.timeout(write_timeout):
                    await self._drained
            except TimeoutError as error:
                raise httpx.WriteTimeout("timed out while sending") from error
        timer = loop.call_later(read_timeout, self._expire) if read_timeout is not None else None
        try:
            return await waiter
        finally:
            if timer is not None:
                timer.cancel()
            self._waiter = None

    def close(self) -> None:
        transport = self.transport
        if transport is None:
            return
        try:
            transport.close()
        except RuntimeError:  # its event loop is closed: asyncio cannot close it, so end the TCP connection
            sock = transport.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class AsyncStreamTransport(httpx.AsyncBaseTransport):
    """httpx.AsyncBaseTransport over HTTP/1.1 keep-alive connections (see the module docstring).

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
        self._idle: dict[_Origin, list[_Connection]] = {}
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
            # Connections and semaphores of another (finished) loop cannot be used in this one.
            self._loop, self._slots = loop, {}
            self._drop_idle()
        return True

    def _drop_idle(self) -> None:
        pools, self._idle = self._idle, {}
        for idle in pools.values():
            for connection in idle:
                connection.close()

    async def _open(self, origin: _Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        if scheme not in (b"http", b"https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme.decode('ascii', 'replace')!r}")
        context = self._context() if scheme == b"https" else None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(_Connection, host, port, ssl=context)
        except TimeoutError as error:
            raise httpx.ConnectTimeout("timed out while connecting") from error
        except OSError as error:  # refused, unreachable, DNS (socket.gaierror), TLS handshake (SSLError)
            raise httpx.ConnectError(str(error) or type(error).__name__) from error
        return connection

    def _checkout(self, origin: _Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if connection.reusable:
                return connection
            connection.close()
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
            connection = self._checkout(origin) or await self._open(origin, connect_timeout)
            try:
                answer = await self._exchange(connection, request, read_timeout, write_timeout)
            except BaseException:
                connection.close()
                raise
            idle = self._idle.setdefault(origin, [])
            if answer.keep_alive and not self._closed and len(idle) < self._max_idle:
                idle.append(connection)
            else:
                connection.close()
        return read_response(
            answer.status,
            answer.headers,
            answer.content,
            request,
            {"http_version": b"HTTP/1.1", "reason_phrase": answer.reason},
            encoded=answer.encoded,
        )

    @staticmethod
    async def _exchange(
        connection: _Connection,
        request: httpx.Request,
        read_timeout: float | None,
        write_timeout: float | None,
    ) -> _Answer:
        try:
            body = request.content
        except httpx.RequestNotRead:  # a streaming body
            body = await request.aread()
        head = [f"{request.method} {url_target(request.url)} HTTP/1.1\r\n".encode("ascii")]
        head += [b"%s: %s\r\n" % header for header in request.headers.raw]
        head += (b"\r\n", body)
        try:
            return await connection.exchange(b"".join(head), request.method, read_timeout, write_timeout)
        except httpx.WriteTimeout as error:
            raise httpx.WriteTimeout(str(error), request=request) from error
        except TimeoutError as error:
            raise httpx.ReadTimeout("timed out while reading", request=request) from error
        except (_Incomplete, ValueError) as error:
            raise httpx.RemoteProtocolError(
                f"malformed or incomplete response: {type(error).__name__}: {error}", request=request
            ) from error
        except OSError as error:
            raise httpx.ReadError(str(error) or type(error).__name__, request=request) from error

    async def aclose(self) -> None:
        self._closed = True
        self._enter_loop()
        self._drop_idle()
        if self._foreign is not None:
            await self._foreign.aclose()
