"""BinanceClient: the typed entry point, over the generated client, for sync and async code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from binance_margin_api.api.futures import change_margin_type
from binance_margin_api.api.margin import (
    get_small_liability_exchange_coin_list,
    margin_manual_liquidation,
    small_liability_exchange,
)
from binance_margin_api.client import AuthenticatedClient
from binance_margin_api.models import CodeMessage, FuturesMarginType, LiabilityCoin, MarginAccountType
from binance_margin_api.spec_metadata import OPERATIONS, SIGNING
from binance_margin_api.types import Response

from ._auth import BinanceAuth
from ._credentials import Credentials, credentials_from_env
from ._errors import (
    BinanceConfigError,
    BinanceMarginError,
    BinanceResponseError,
    BinanceTransportError,
    BinanceValidationError,
)
from ._routing import Routes

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

# The generated client puts its token in a header; BinanceAuth sets the real key on every request, so the
# generated client only ever holds this placeholder (and its repr shows no credential).
_KEY_PLACEHOLDER = "set-per-request-by-BinanceAuth"
# Errors the generated parser raises on a body of the wrong shape.
_PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


def _enum(kind: type[E], value: E | str, operation: str, parameter: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise BinanceValidationError(
            operation, f"{parameter} is {value!r}; it must be one of {allowed}", parameter=parameter
        ) from None


@contextmanager
def _translated_errors(operation_id: str) -> Iterator[None]:
    """Let only BinanceMarginError out: transport failures and malformed bodies become typed errors."""
    operation = OPERATIONS[operation_id]
    try:
        yield
    except BinanceMarginError:
        raise
    except httpx.TransportError as error:
        raise _transport_error(error, operation.method, operation_id) from error
    except _PARSE_ERRORS as error:
        raise BinanceResponseError(
            status=200,
            code=None,
            message=f"the body does not match the spec's response schema ({type(error).__name__}: {error})",
            family=operation.family,
            operation=operation_id,
        ) from error


def _transport_error(error: httpx.TransportError, method: str, operation: str) -> BinanceTransportError:
    # Refused or timed out while connecting: nothing reached Binance. Anything later: it may have.
    not_sent = isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout))
    kind = type(error).__name__
    return BinanceTransportError(
        f"{kind}: {error}" if str(error) else kind,
        operation=operation,
        outcome_unknown=method != "GET" and not not_sent,
    )


class BinanceClient:
    """A signed Binance client for the operations of the spec.

    Credentials come from the arguments or from the environment (BINANCE_API_KEY with BINANCE_API_SECRET,
    or BINANCE_PRIVATE_KEY_FILE and optionally BINANCE_PRIVATE_KEY_PASSPHRASE). `base_url` (SAPI) and
    `futures_base_url` (FAPI) default to the spec's hosts; point them at the test net or the local mock.

    Each operation has a sync method and an async one prefixed with `a`. `client.api` is the generated
    `AuthenticatedClient`, usable with every generated operation's `sync`/`asyncio` functions.
    """

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        base_url: str | None = None,
        futures_base_url: str | None = None,
        recv_window: int = SIGNING.recv_window_default,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not 0 < recv_window <= SIGNING.recv_window_maximum:
            raise BinanceConfigError(
                f"recvWindow {recv_window} is out of range: it must be between 1 and "
                f"{SIGNING.recv_window_maximum} ms"
            )
        self._credentials = credentials if credentials is not None else credentials_from_env()
        self._routes = Routes({"sapi": base_url, "fapi": futures_base_url})
        self.auth = BinanceAuth(self._credentials, self._routes, recv_window=recv_window)
        base = str(self._routes.base(Routes.primary))
        self.api = AuthenticatedClient(
            base_url=base,
            token=_KEY_PLACEHOLDER,
            prefix="",
            auth_header_name=SIGNING.api_key_header,
            timeout=httpx.Timeout(timeout),
            httpx_args={"auth": self.auth},
        )
        if transport is not None:
            self.api.set_httpx_client(
                httpx.Client(base_url=base, auth=self.auth, timeout=timeout, transport=transport)
            )
        if async_transport is not None:
            self.api.set_async_httpx_client(
                httpx.AsyncClient(base_url=base, auth=self.auth, timeout=timeout, transport=async_transport)
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Self:
        """A client with credentials from the environment (see the class docstring)."""
        return cls(credentials_from_env(environ), **options)

    def __repr__(self) -> str:
        return (
            f"BinanceClient(credentials={self._credentials!r}, base_url={str(self._routes.base('sapi'))!r}, "
            f"futures_base_url={str(self._routes.base('fapi'))!r})"
        )

    # -- calling the generated functions ----------------------------------------------------------------

    def _call(self, operation_id: str, function: Callable[..., Response[Any]], **arguments: Any) -> Any:
        with _translated_errors(operation_id):
            return function(client=self.api, **arguments).parsed

    async def _acall(
        self, operation_id: str, function: Callable[..., Awaitable[Response[Any]]], **arguments: Any
    ) -> Any:
        with _translated_errors(operation_id):
            return (await function(client=self.api, **arguments)).parsed

    # -- the four operations ----------------------------------------------------------------------------

    def coin_list(self) -> list[LiabilityCoin]:
        """GET the coins whose small liabilities can be exchanged."""
        result: list[LiabilityCoin] = self._call(
            "getSmallLiabilityExchangeCoinList", get_small_liability_exchange_coin_list.sync_detailed
        )
        return result

    async def acoin_list(self) -> list[LiabilityCoin]:
        """Async `coin_list`."""
        result: list[LiabilityCoin] = await self._acall(
            "getSmallLiabilityExchangeCoinList", get_small_liability_exchange_coin_list.asyncio_detailed
        )
        return result

    def exchange_small_liability(self, asset_names: list[str]) -> None:
        """Exchange the small liabilities of `asset_names` (1 to 10 distinct coins)."""
        self._call(
            "smallLiabilityExchange", small_liability_exchange.sync_detailed, asset_names=list(asset_names)
        )

    async def aexchange_small_liability(self, asset_names: list[str]) -> None:
        """Async `exchange_small_liability`."""
        await self._acall(
            "smallLiabilityExchange", small_liability_exchange.asyncio_detailed, asset_names=list(asset_names)
        )

    def manual_liquidation(
        self, account_type: MarginAccountType | str, symbol: str | None = None
    ) -> list[LiabilityCoin]:
        """Liquidate the cross margin account (MARGIN) or one isolated `symbol` (ISOLATED)."""
        kind = _enum(MarginAccountType, account_type, "marginManualLiquidation", "type")
        result = self._call(
            "marginManualLiquidation",
            margin_manual_liquidation.sync_detailed,
            **_liquidation_args(kind, symbol),
        )
        return _as_list(result)

    async def amanual_liquidation(
        self, account_type: MarginAccountType | str, symbol: str | None = None
    ) -> list[LiabilityCoin]:
        """Async `manual_liquidation`."""
        kind = _enum(MarginAccountType, account_type, "marginManualLiquidation", "type")
        result = await self._acall(
            "marginManualLiquidation",
            margin_manual_liquidation.asyncio_detailed,
            **_liquidation_args(kind, symbol),
        )
        return _as_list(result)

    def change_margin_type(self, symbol: str, margin_type: FuturesMarginType | str) -> CodeMessage:
        """Set USD-M futures `symbol`'s margin type (ISOLATED or CROSSED)."""
        kind = _enum(FuturesMarginType, margin_type, "changeMarginType", "marginType")
        result: CodeMessage = self._call(
            "changeMarginType", change_margin_type.sync_detailed, symbol=symbol, margin_type=kind
        )
        return result

    async def achange_margin_type(self, symbol: str, margin_type: FuturesMarginType | str) -> CodeMessage:
        """Async `change_margin_type`."""
        kind = _enum(FuturesMarginType, margin_type, "changeMarginType", "marginType")
        result: CodeMessage = await self._acall(
            "changeMarginType", change_margin_type.asyncio_detailed, symbol=symbol, margin_type=kind
        )
        return result

    # -- lifecycle ----------------------------------------------------------------------------------------

    def close(self) -> None:
        self.api.get_httpx_client().close()

    async def aclose(self) -> None:
        await self.api.get_async_httpx_client().aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _liquidation_args(kind: MarginAccountType, symbol: str | None) -> dict[str, Any]:
    return {"type_": kind} if symbol is None else {"type_": kind, "symbol": symbol}


def _as_list(result: LiabilityCoin | list[LiabilityCoin]) -> list[LiabilityCoin]:
    # The docs show one object; older specs an array: callers always get a list.
    return result if isinstance(result, list) else [result]
