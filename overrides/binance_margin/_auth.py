"""The httpx.Auth that makes every generated call a correct Binance call.

One class serves the sync and the async httpx clients (the generated functions use both). For each
request it: finds the operation in the spec metadata, refuses invalid parameters before sending,
comma-joins `explode: false` arrays, adds timestamp and recvWindow, percent-encodes (RFC 3986) and signs
exactly the bytes it sends, routes the request to its family's host, and turns error answers into typed
exceptions before the generated parser sees them.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable, Generator
from urllib.parse import parse_qsl

import httpx
from binance_margin_api.spec_metadata import SIGNING, ApiFamily, Operation, find_operation

from ._credentials import Credentials
from ._encoding import signed_query
from ._errors import BinanceValidationError
from ._responses import check_answer
from ._routing import Routes
from ._validation import validate


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class BinanceAuth(httpx.Auth):
    """Signs, validates and routes requests for the operations of the spec.

    `recv_window` is sent with every request (the spec's default unless given); `clock` returns the
    timestamp in milliseconds (wall clock unless given, e.g. a server-synchronised one).
    """

    requires_response_body = True

    def __init__(
        self,
        credentials: Credentials,
        routes: Routes,
        *,
        recv_window: int = SIGNING.recv_window_default,
        clock: Callable[[], int] = _wall_clock_ms,
    ) -> None:
        self._credentials = credentials
        self._routes = routes
        self._recv_window = recv_window
        self._clock = clock

    def __repr__(self) -> str:
        return f"BinanceAuth(credentials={self._credentials!r}, recv_window={self._recv_window})"

    def prepare(self, request: httpx.Request) -> tuple[ApiFamily, Operation | None]:
        """Validate, sign and route `request` in place; return its family and operation."""
        path, family = self._routes.locate(request.url)
        if family is None:
            raise BinanceValidationError(path, "is not a path of the spec")
        if path == family.server_time.path:
            # Public and unsigned: route it, send no key.
            self._route(request, family, path, request.url.query.decode("ascii"))
            request.headers.pop(SIGNING.api_key_header, None)
            return family, None
        operation = find_operation(request.method, path)
        if operation is None:
            raise BinanceValidationError(f"{request.method} {path}", "is not an operation of the spec")
        pairs = validate(operation, parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True))
        pairs += [
            (SIGNING.recv_window_parameter, str(self._recv_window)),
            (SIGNING.timestamp_parameter, str(self._clock())),
        ]
        query = signed_query(pairs, self._credentials, SIGNING.signature_parameter)
        self._route(request, family, path, query)
        request.headers[SIGNING.api_key_header] = self._credentials.api_key
        return family, operation

    def _route(self, request: httpx.Request, family: ApiFamily, path: str, query: str) -> None:
        request.url = self._routes.url(family.name, path, query)
        # The Host header was computed for the primary base; follow the routed URL.
        request.headers["Host"] = request.url.netloc.decode("ascii")

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        family, operation = self.prepare(request)
        response = yield request
        response.read()  # overriding sync_auth_flow skips httpx's own read for requires_response_body
        check_answer(response, family, operation)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        family, operation = self.prepare(request)
        response = yield request
        await response.aread()
        check_answer(response, family, operation)
