"""httpx clients that send the generated functions' calls without httpx's per-request machinery.

Every generated function calls `client.request(method=..., url="/spec/path", params={...})`. For that
call, httpx merges the URL with base_url, encodes the params into it and parses the result, merges
headers and cookies, runs the auth flow, checks redirects, extracts cookies and logs; BinanceAuth then
parses the query back to validate and sign it. That is most of a call's client-side CPU (BENCHMARKS.md).

`DirectClient.request` hands such a call straight to `BinanceAuth.direct_flow` and sends the
requests of its flow on the client's transport: the same validation, signing, budgets, guards and errors,
any httpx transport, httpx's Request and Response objects. Every other call (an absolute URL, a body,
extra headers or options) goes through httpx's own `request`, with the same auth.
"""

from __future__ import annotations

from typing import Any
from urllib.request import getproxies

import httpx

from ._auth import BinanceAuth, Flow

__all__ = ["AsyncDirectClient", "DirectClient", "call_pairs", "proxies_in_environment"]


def proxies_in_environment() -> bool:
    """True when HTTP_PROXY / HTTPS_PROXY / ALL_PROXY (any case) are set, as httpx reads them."""
    found = getproxies()
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


def _text(value: object) -> str | None:
    # httpx's conversion of a query value (primitive_value_to_str); None for anything httpx would reject.
    if isinstance(value, str):
        return str(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return None


def call_pairs(url: object, params: object, options: dict[str, Any]) -> list[tuple[str, str]] | None:
    """The query pairs of a call as the generated functions make it, or None for any other call.

    The pairs are what httpx would encode from `params` (lists repeat the name, one pair per item), so
    BinanceAuth sees the same parameters on both paths.
    """
    if options or not isinstance(url, str) or not url.startswith("/") or "?" in url or "#" in url:
        return None
    if params is None:
        return []
    if not isinstance(params, dict):
        return None
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if not isinstance(name, str):
            return None
        for item in value if isinstance(value, list | tuple) else (value,):
            text = _text(item)
            if text is None:
                return None
            pairs.append((name, text))
    return pairs


def _direct_call(
    client: httpx.Client | httpx.AsyncClient,
    auth: BinanceAuth,
    method: str,
    url: httpx.URL | str,
    params: object,
    options: dict[str, Any],
) -> Flow | None:
    """The flow of a generated-function call on `client`; None for any other call."""
    pairs = call_pairs(url, params, options)
    if pairs is None:
        return None
    if client.is_closed:
        raise RuntimeError("Cannot send a request, as the client has been closed.")
    return auth.direct_flow(
        method.upper(),
        str(url),
        pairs,
        headers=client.headers,
        extensions={"timeout": client.timeout.as_dict()},
    )


class DirectClient(httpx.Client):
    """An `httpx.Client` whose generated-function calls skip httpx's request machinery (module docstring)."""

    def __init__(
        self, auth: BinanceAuth, *, base_url: str, timeout: float, transport: httpx.BaseTransport
    ) -> None:
        super().__init__(base_url=base_url, auth=auth, timeout=timeout, transport=transport)
        self._binance_auth = auth
        self._binance_transport = transport

    def request(
        self, method: str, url: httpx.URL | str, *, params: Any = None, **options: Any
    ) -> httpx.Response:
        flow = _direct_call(self, self._binance_auth, method, url, params, options)
        if flow is None:
            return super().request(method, url, params=params, **options)
        driver = self._binance_auth.drive(flow)
        try:
            request = next(driver)
            while True:
                response = self._binance_transport.handle_request(request)
                response.request = request
                try:
                    request = driver.send(response)
                except StopIteration:
                    return response
        finally:
            driver.close()


class AsyncDirectClient(httpx.AsyncClient):
    """The async twin of `DirectClient`."""

    def __init__(
        self, auth: BinanceAuth, *, base_url: str, timeout: float, transport: httpx.AsyncBaseTransport
    ) -> None:
        super().__init__(base_url=base_url, auth=auth, timeout=timeout, transport=transport)
        self._binance_auth = auth
        self._binance_transport = transport

    async def request(
        self, method: str, url: httpx.URL | str, *, params: Any = None, **options: Any
    ) -> httpx.Response:
        flow = _direct_call(self, self._binance_auth, method, url, params, options)
        if flow is None:
            return await super().request(method, url, params=params, **options)
        driver = self._binance_auth.adrive(flow)
        try:
            request = await driver.__anext__()
            while True:
                response = await self._binance_transport.handle_async_request(request)
                response.request = request
                try:
                    request = await driver.asend(response)
                except StopAsyncIteration:
                    return response
        finally:
            await driver.aclose()
