"""HTTP through any httpx transport: one the caller gives (HTTP/2, an explicit proxy, `httpx.MockTransport`
in tests), httpx's own client where proxies come from the environment, and httpx's async transport under
event loops other than asyncio (trio).

The request goes out with exactly the engine's target and headers; the body is read raw (the engine undoes
any Content-Encoding) up to the cap. httpx applies `timeout` to each connect, read and write; the async
sender also bounds the whole answer by it. httpx's errors say which phase failed: a failure to connect or
to get a connection is "not sent", any other may have reached the server (and so may an exception of a
transport httpx does not know). A failed write is among the others: on HTTP/2 a write can fail after
the request went out (flow control, a connection shared with other requests).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Final, cast

import httpx

from ._wire import Answer, BodyBuffer, Reply, TransportFailure, WireRequest, cut_short

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


def _failure(error: BaseException, request: WireRequest) -> TransportFailure:
    return TransportFailure.of(error, sent=not isinstance(error, _NOT_SENT), request=request)


def _answer(response: httpx.Response, body: BodyBuffer, problem: str | None) -> Answer:
    headers = {name.lower(): value for name, value in response.headers.multi_items()}
    return Answer(response.status_code, headers, body.data(), problem)


class HttpxSender:
    """Sends `WireRequest`s through `send`: a transport's `handle_request`, or a client's `send`."""

    def __init__(
        self,
        send: Callable[[httpx.Request], httpx.Response],
        close: Callable[[], None],
        *,
        max_response_bytes: int,
    ) -> None:
        self._send = send
        self._close = close
        self._max_bytes = max_response_bytes

    @classmethod
    def over(cls, transport: httpx.BaseTransport, *, max_response_bytes: int) -> HttpxSender:
        return cls(transport.handle_request, transport.close, max_response_bytes=max_response_bytes)

    @classmethod
    def with_environment_proxies(cls, *, max_response_bytes: int) -> HttpxSender:
        """httpx's own client, which picks the proxy of each URL from HTTP(S)_PROXY / ALL_PROXY / NO_PROXY."""
        client = httpx.Client(trust_env=True, follow_redirects=False)
        return cls(partial(client.send, stream=True), client.close, max_response_bytes=max_response_bytes)

    def send(self, request: WireRequest) -> Reply:
        try:
            response = self._send(_request(request))
        except Exception as error:
            return _failure(error, request)
        body = BodyBuffer(self._max_bytes)
        try:
            # The stream a transport returns yields the raw bytes (a transport's contract), even when the
            # response was built already read, as MockTransport's are.
            problem = body.collect(cast(httpx.SyncByteStream, response.stream))
        finally:
            response.close()
        return _answer(response, body, problem)

    def close(self) -> None:
        self._close()


class HttpxAsyncSender:
    """Sends `WireRequest`s through an async httpx transport, the whole answer bounded by `timeout`."""

    def __init__(self, transport: httpx.AsyncBaseTransport, *, max_response_bytes: int) -> None:
        self._transport = transport
        self._max_bytes = max_response_bytes

    async def send(self, request: WireRequest) -> Reply:
        import anyio  # httpx's async layer: works under asyncio and trio alike

        body = BodyBuffer(self._max_bytes)
        response: httpx.Response | None = None
        problem: str | None = None
        try:
            with anyio.fail_after(request.timeout):
                response = await self._transport.handle_async_request(_request(request))
                try:
                    problem = await body.acollect(cast(httpx.AsyncByteStream, response.stream))
                finally:
                    await response.aclose()
        except Exception as error:
            if response is not None:
                problem = cut_short(error)
            elif isinstance(error, TimeoutError):
                # httpx's own connect timeout is ConnectTimeout; this one cannot tell the phase apart.
                return TransportFailure(
                    kind="TimeoutError", message="no answer within the timeout", sent=True
                )
            else:
                return _failure(error, request)
        return _answer(response, body, problem)

    async def aclose(self) -> None:
        await self._transport.aclose()
