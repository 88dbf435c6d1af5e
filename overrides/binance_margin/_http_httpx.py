"""HTTP through any httpx transport: one the caller gives (HTTP/2, an explicit proxy, `httpx.MockTransport`
in tests), and httpx's async transport under event loops other than asyncio (trio).

The request goes out with exactly the engine's target and headers; the body is read raw (the engine undoes
any Content-Encoding) up to the cap. httpx applies `timeout` to each connect, read and write; the async
sender also bounds the whole answer by it. httpx's errors say which phase failed: a failure to connect or
to get a connection is "not sent", and so is any failure before the request's headers began to go out
(`_Progress`: a proxy that refused or dropped the CONNECT); any other may have reached the server (and so
may an exception of a transport httpx does not know). A failed write is among the others: on HTTP/2 a
write can fail after the request went out (flow control, a connection shared with other requests).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, cast

import httpx

from ._wire import (
    Answer,
    Origin,
    Reply,
    TransportFailure,
    WireRequest,
    aread_body,
    closed_during_call,
    cut_short,
    read_body,
)

_NOT_SENT: Final = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
    httpx.ProxyError,
)


def _request(request: WireRequest) -> httpx.Request:
    origin = request.origin
    url = httpx.URL(
        scheme=origin.scheme, host=origin.host, port=origin.port, raw_path=request.target.encode("ascii")
    )
    return httpx.Request(
        request.method, url, headers=list(request.headers), extensions={"timeout": request.timeouts}
    )


def _answer(response: httpx.Response, body: bytes, problem: str | None) -> Answer:
    # httpx's own items() joins a repeated field's values with ", ", as `header_fields` does.
    return Answer(response.status_code, dict(response.headers.items()), body, problem)


class _Progress:
    """Whether a request through an httpx transport may have reached the server. httpx's own transports
    hand the trace (httpcore's public extension) to httpcore, which says when the request's headers begin
    to go out: a proxy's CONNECT, which carries the trace too, is not the request, and a failure before
    any event (cut short early) sent nothing. Another transport, which traces nothing, may have sent it.
    `request.sent` follows, for an interruption (the engine judges by it)."""

    def __init__(self, request: WireRequest, transport: object) -> None:
        self._request = request
        self._traced = isinstance(transport, httpx.HTTPTransport | httpx.AsyncHTTPTransport)
        self._events = 0
        self._sending = False
        request.sent = not self._traced

    def trace(self, event: str, info: Mapping[str, object]) -> None:
        self._events += 1
        if event.endswith(".send_request_headers.started") and (
            getattr(info.get("request"), "method", None) != b"CONNECT"
        ):
            self._sending = self._request.sent = True

    async def atrace(self, event: str, info: Mapping[str, object]) -> None:
        self.trace(event, info)

    def began(self) -> bool:
        return self._sending or not (self._traced or self._events)

    def failed_after_sending(self, error: Exception) -> bool:
        """Whether a request that failed with `error` may have reached the server."""
        return self.began() and not isinstance(error, _NOT_SENT)


class HttpxSender:
    """Sends `WireRequest`s through a sync httpx transport."""

    def __init__(self, transport: httpx.BaseTransport, *, max_response_bytes: int) -> None:
        self._transport = transport
        self._max_bytes = max_response_bytes
        self._closed = False

    def send(self, request: WireRequest) -> Reply:
        if self._closed:
            raise closed_during_call()
        progress = _Progress(request, self._transport)
        outgoing = _request(request)
        outgoing.extensions["trace"] = progress.trace
        try:
            response = self._transport.handle_request(outgoing)
        except Exception as error:
            return TransportFailure.of(error, sent=progress.failed_after_sending(error), request=request)
        # The stream a transport returns yields the raw bytes (a transport's contract), even when the
        # response was built already read, as MockTransport's are.
        stream = cast(httpx.SyncByteStream, response.stream)
        return _answer(response, *read_body(stream, self._max_bytes, response.close))

    def close(self) -> None:
        self._closed = True
        self._transport.close()


class HttpxAsyncSender:
    """Sends `WireRequest`s through an async httpx transport, the whole answer bounded by `timeout`;
    `proxied`: the transports of origins that go through a proxy."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        *,
        max_response_bytes: int,
        proxied: Mapping[Origin, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self._transport = transport
        self._max_bytes = max_response_bytes
        self._closed = False
        self._proxied = dict(proxied or {})

    async def send(self, request: WireRequest) -> Reply:
        if self._closed:
            raise closed_during_call()
        import anyio  # httpx's async layer: works under asyncio and trio alike

        response: httpx.Response | None = None
        transport = self._proxied.get(request.origin, self._transport)
        progress = _Progress(request, transport)
        outgoing = _request(request)
        outgoing.extensions["trace"] = progress.atrace
        try:
            with anyio.fail_after(request.timeout):
                response = await transport.handle_async_request(outgoing)
                try:
                    body, problem = await aread_body(
                        cast(httpx.AsyncByteStream, response.stream), self._max_bytes
                    )
                finally:
                    await response.aclose()
        except Exception as error:
            if response is not None:
                return _answer(response, b"", cut_short(error))
            if isinstance(error, TimeoutError):  # the deadline cut the call short
                return TransportFailure(
                    kind="TimeoutError", message="no answer within the timeout", sent=progress.began()
                )
            return TransportFailure.of(error, sent=progress.failed_after_sending(error), request=request)
        except BaseException:  # cancelled: the engine judges by `request.sent`
            request.sent = response is not None or progress.began()
            raise
        return _answer(response, body, problem)

    async def aclose(self) -> None:
        self._closed = True
        for transport in {self._transport, *self._proxied.values()}:
            await transport.aclose()
