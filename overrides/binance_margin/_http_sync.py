"""The default sync driver's HTTP: httpcore's connection pool (HTTP/1.1 by h11), with a deadline.

httpcore does the protocol: framing, header validation, interim (1xx) answers, chunked bodies, keep-alive,
and it checks a pooled connection before reusing it (a connection the server closed is readable, and
is dropped). This module adds what a Binance call needs around it, through httpcore's public network
backend interface:

- `timeout` is a deadline for the whole answer, not per read: every connect, read and write gets the
  time left (a server dripping one byte a second cannot stretch a call past it);
- the body is read up to the cap and the connection dropped beyond it;
- an answer that was waiting on a pooled connection before the request went out (h11 keeps bytes a
  server sent after its previous answer) is not taken for this request's answer;
- every failure becomes a `TransportFailure` that says whether the request may have reached the server.
"""

from __future__ import annotations

import contextvars
import encodings.idna  # noqa: F401  the first connect's host-name codec: loaded before any reservation
import ssl
import time
from collections.abc import Iterable, Mapping
from typing import Any, Final

import httpcore

from ._routing import Proxy
from ._wire import (
    Answer,
    Origin,
    Reply,
    TransportFailure,
    WireRequest,
    closed_during_call,
    header_fields,
    read_body,
    tls_context,
)

_MAX_CONNECTIONS: Final = 20
# The request HttpcoreSender.send is sending, when its answer is due (time.monotonic()), and whether it
# goes through a proxy's tunnel (CONNECT), for the I/O it causes.
_SENDING: Final[contextvars.ContextVar[tuple[WireRequest, float, bool]]] = contextvars.ContextVar(
    "binance_margin_sending"
)
# Raised before the request could leave: connecting, waiting for a pooled connection, or refused by h11.
# A failed write means the server never got a whole request (httpcore also swallows a write error to
# read an early answer: `_DeadlineStream.write` then marks the request unsent). Anything else raised
# once the request began to go out may have reached the server; raised before that (`WireRequest.sent`:
# a proxy's CONNECT is not the request), it did not.
_NOT_SENT: Final = (
    httpcore.ConnectError,
    httpcore.ConnectTimeout,
    httpcore.PoolTimeout,
    httpcore.UnsupportedProtocol,
    httpcore.LocalProtocolError,
    httpcore.WriteTimeout,
    httpcore.WriteError,
)


def _left(expired: type[Exception]) -> float:
    """The time left before the call's deadline; `expired` when none is. It is never more than the timeout
    httpcore passes on: each phase gets the call's whole timeout (`WireRequest.timeouts`)."""
    left = _SENDING.get()[1] - time.monotonic()
    if left <= 0:
        raise expired("the answer did not arrive within the call's timeout")
    return left


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, *, carries_requests: bool = True) -> None:
        self._stream = stream
        # False for a connection to a proxy that will tunnel: it carries only the CONNECT, not the request
        # (which goes out on the TLS stream inside the tunnel).
        self._carries_requests = carries_requests
        # Whether anything was read since the last request went out. A response head parsed without a read
        # came from bytes the server sent before this request (more than its previous answer): it is not
        # this request's answer.
        self.read_since_request = False

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = self._stream.read(max_bytes, _left(httpcore.ReadTimeout))
        self.read_since_request = True
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            # h11 ends a message with an empty write, after the whole request is out: a deadline passing
            # there must not be taken for a request that was never sent.
            return
        self.read_since_request = False
        request = _SENDING.get()[0] if self._carries_requests else None
        if request is not None:  # before the write: an interruption in it may leave bytes sent
            request.sent = True
        try:
            self._stream.write(buffer, _left(httpcore.WriteTimeout))
        except httpcore.WriteError:
            # The request did not leave whole, so it cannot execute. httpcore swallows this error to read
            # an early answer, and raises a read error when none comes: that must not make it look sent.
            if request is not None:
                request.sent = False
            raise

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(ssl_context, server_hostname, _left(httpcore.ConnectTimeout))
        # TLS to an https proxy carries only the CONNECT; TLS to the origin (inside the tunnel) the request.
        carries = self._carries_requests or server_hostname == _SENDING.get()[0].origin.host
        return _DeadlineStream(stream, carries_requests=carries)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(httpcore.ConnectTimeout)
        stream = super().connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream, carries_requests=not _SENDING.get()[2])


class HttpcoreSender:
    """Sends `WireRequest`s on an httpcore connection pool (see the module docstring), with httpx's TLS
    defaults (certifi, or SSL_CERT_FILE / SSL_CERT_DIR). Thread-safe.

    The client makes its sender before a call's first step, so the pool and its TLS context (importing
    httpx and loading certificates: 130 to 190 ms on a cold start) are ready before the call reserves
    weight: none of that lies between reading the clock for a rate-limit window and sending.
    """

    def __init__(self, *, max_response_bytes: int, proxies: Mapping[Origin, Proxy]) -> None:
        self._max_bytes = max_response_bytes
        self._closed = False
        self._context = tls_context()
        self._proxies = proxies
        self._open()

    def _open(self) -> None:
        context, backend = self._context, _DeadlineBackend()
        self._pool = httpcore.ConnectionPool(
            ssl_context=context, max_connections=_MAX_CONNECTIONS, network_backend=backend
        )
        # Through a proxy (`proxies`: the environment's, per origin), on the same deadline.
        through = {
            proxy: httpcore.HTTPProxy(
                proxy_url=proxy.address,
                proxy_auth=proxy.auth,
                ssl_context=context,
                proxy_ssl_context=context if proxy.address.startswith("https:") else None,
                max_connections=_MAX_CONNECTIONS,
                network_backend=backend,
            )
            for proxy in set(self._proxies.values())
        }
        self._proxied = {origin: through[proxy] for origin, proxy in self._proxies.items()}

    def send(self, request: WireRequest) -> Reply:
        if self._closed:
            raise closed_during_call()
        origin = request.origin
        direct = self._pool  # read once: an interrupted call on another thread may put new pools in place
        pool = self._proxied.get(origin, direct) if self._proxied else direct
        tunnelled = pool is not direct and origin.scheme == "https"
        token = _SENDING.set((request, time.monotonic() + request.timeout, tunnelled))
        try:
            try:
                response = pool.handle_request(
                    httpcore.Request(
                        request.method,
                        # httpcore encodes str as ASCII (the engine's targets and headers are ASCII only).
                        httpcore.URL(
                            scheme=origin.scheme, host=origin.host, port=origin.port, target=request.target
                        ),
                        headers=request.headers,
                        extensions={"timeout": request.timeouts},
                    )
                )
            except Exception as error:  # httpcore's read and protocol errors, and anything unforeseen
                sent = request.sent and not isinstance(error, _NOT_SENT)
                return TransportFailure.of(error, sent=sent, request=request)
            stream = response.extensions.get("network_stream")  # httpcore's public extension
            if isinstance(stream, _DeadlineStream) and not stream.read_since_request:
                stream.close()  # so the pool drops the connection (a closed socket reads as expired)
                response.close()
                return TransportFailure(
                    kind="StaleAnswer",
                    message="an answer was waiting before the request went out (the server sent more than "
                    "its previous answer); the connection is dropped",
                    sent=True,
                )
            body, problem = read_body(response.stream, self._max_bytes, response.close)  # type: ignore[arg-type]
            lines = ((name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers)
            return Answer(response.status, header_fields(lines), body, problem)
        except BaseException:
            # Interrupted (Ctrl-C) inside httpcore. Its locks are taken in a Python `__enter__`: a signal
            # handled just after the acquire raises there, before the `with` holds it, and the lock stays
            # taken (CPython gh-74174). The next request on this pool, or close(), would wait on it for
            # ever. So the pools are given up, not closed: new ones serve later calls, and the old ones'
            # sockets close when they are collected.
            self._open()
            raise
        finally:
            _SENDING.reset(token)

    def close(self) -> None:
        self._closed = True
        for pool in {self._pool, *self._proxied.values()}:
            pool.close()
