"""`client.api`: the generated `AuthenticatedClient`, whose httpx clients hand each call to the engine.

A generated function builds its call as `client.get_httpx_client().request(method=..., url="/spec/path",
params={...})` and parses the response it gets back. Here `request` is the engine's door: the method and
path name the operation, the params are its arguments (validated like any other call's), and the
response is the engine's answer to a successful call. Every failure is the engine's typed error, exactly
as through `BinanceClient`'s methods. Anything else asked of these clients is refused: they only run the
spec's operations.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

import attrs
import httpx
from binance_margin_api.client import AuthenticatedClient
from binance_margin_api.spec_metadata import SIGNING, find_operation

from ._engine import Result
from ._errors import BinanceConfigError, BinanceValidationError
from ._routing import Routes

if TYPE_CHECKING:
    from ._client import BinanceClient

# The generated client wants a token for its auth header; the engine sets the real key on every request,
# so the generated client only ever holds this placeholder (and its repr shows no credential).
_KEY_PLACEHOLDER = "set-per-request-by-binance_margin"


class _ExactResponse(httpx.Response):
    """A response whose `json()` parses numbers with a fraction as Decimal (the exact digits)."""

    def json(self, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_float", Decimal)
        return json.loads(self.content, **kwargs)


class _Refused(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The adapters' transport: only `request` (the generated functions' call) runs a call."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise BinanceValidationError(
            f"{request.method} {request.url.path}", "client.api runs the generated functions' calls only"
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self.handle_request(request)


def _call(method: str, url: object, params: Any, options: dict[str, Any]) -> tuple[str, Any]:
    """The operation id and arguments of a generated function's call; any other request is refused."""
    operation = find_operation(method, url) if isinstance(url, str) else None
    if operation is None or options:
        raise BinanceValidationError(
            f"{method.upper()} {url}",
            "is not a call of a generated function (an operation of the spec, params only)",
        )
    return operation.operation_id, {} if params is None else params


# The body handed on is decoded and whole: headers about its encoding on the wire would make httpx
# decode it again (or read a wrong length).
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _response(result: Result, method: str, url: str) -> httpx.Response:
    answer = result.answer
    return _ExactResponse(
        answer.status,
        # As bytes: httpx would encode a str value as ASCII, and a server may send any byte (latin-1).
        headers=[
            (name.encode("latin-1", "replace"), value.encode("latin-1", "replace"))
            for name, value in answer.headers.items()
            if name.lower() not in _WIRE_HEADERS
        ],
        content=result.body,
        request=httpx.Request(method, url),
    )


class _EngineClient(httpx.Client):
    def __init__(self, owner: BinanceClient, base_url: str) -> None:
        super().__init__(base_url=base_url, trust_env=False, transport=_Refused())
        self._owner = owner

    def request(
        self, method: str, url: httpx.URL | str, *, params: Any = None, **options: Any
    ) -> httpx.Response:
        result = self._owner._run(*_call(method, url, params, options))
        return _response(result, method, f"{self.base_url}{url}")


class _AsyncEngineClient(httpx.AsyncClient):
    def __init__(self, owner: BinanceClient, base_url: str) -> None:
        super().__init__(base_url=base_url, trust_env=False, transport=_Refused())
        self._owner = owner

    async def request(
        self, method: str, url: httpx.URL | str, *, params: Any = None, **options: Any
    ) -> httpx.Response:
        result = await self._owner._arun(*_call(method, url, params, options))
        return _response(result, method, f"{self.base_url}{url}")


@attrs.define
class _EngineApi(AuthenticatedClient):
    """The generated client, whose httpx clients are always the engine's doors: they are a field, so a
    copy (`attrs.evolve`) keeps them, where the generated client would build plain ones that send
    unsigned requests. The engine takes timeout and headers from `BinanceClient`, so the `with_*`
    helpers are refused, with how to do it instead."""

    _doors: tuple[_EngineClient, _AsyncEngineClient] = attrs.field(kw_only=True, alias="doors")

    def get_httpx_client(self) -> httpx.Client:
        return self._doors[0]

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        return self._doors[1]

    def with_headers(self, headers: dict[str, str]) -> AuthenticatedClient:
        raise _refused("with_headers", "the engine sets the headers of every call")

    def with_cookies(self, cookies: dict[str, str]) -> AuthenticatedClient:
        raise _refused("with_cookies", "Binance's calls take no cookies")

    def with_timeout(self, timeout: httpx.Timeout) -> AuthenticatedClient:
        raise _refused("with_timeout", "give BinanceClient(timeout=...) instead")

    def set_httpx_client(self, client: httpx.Client) -> Self:
        raise _refused("set_httpx_client", "give BinanceClient(transport=...) instead")

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Self:
        raise _refused("set_async_httpx_client", "give BinanceClient(async_transport=...) instead")


def _refused(helper: str, instead: str) -> BinanceConfigError:
    return BinanceConfigError(f"client.api.{helper}() would bypass the call engine: {instead}")


def generated_client(owner: BinanceClient, routes: Routes) -> AuthenticatedClient:
    """The generated client for `owner`: its sync and async httpx clients are the engine's doors."""
    # With no SAPI host (the test net), the generated client only needs some base URL.
    base = routes.url("sapi") or routes.url("fapi") or ""
    return _EngineApi(
        base_url=base,
        token=_KEY_PLACEHOLDER,
        prefix="",
        auth_header_name=SIGNING.api_key_header,
        doors=(_EngineClient(owner, base), _AsyncEngineClient(owner, base)),
    )
