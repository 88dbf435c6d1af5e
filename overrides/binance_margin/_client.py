"""BinanceClient: the typed entry point, over the generated client, for sync and async code."""

from __future__ import annotations

import contextvars
import logging
import random
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
from ._budget import Budget, account_label
from ._cooldown import Cooldown, once_rule
from ._credentials import Credentials, credentials_from_env
from ._direct import AsyncDirectClient, DirectClient, proxies_in_environment
from ._ensure import MarginTypeResult, already_set, changed
from ._errors import (
    BinanceAPIError,
    BinanceConfigError,
    BinanceMarginError,
    BinanceResponseError,
    BinanceServerError,
    BinanceTransportError,
    BinanceValidationError,
)
from ._observe import CallRecord, CallState, Observer, current_call, logger
from ._retry import RetryPolicy, may_retry
from ._routing import Routes
from ._shape import conforming
from ._timesync import Clock, ServerClock, SystemClock
from ._transport import HttpClientTransport

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

# The generated client puts its token in a header; BinanceAuth sets the real key on every request, so the
# generated client only ever holds this placeholder (and its repr shows no credential).
_KEY_PLACEHOLDER = "set-per-request-by-BinanceAuth"
# Errors the generated parser (and the model type check) raise on a body of the wrong shape.
_PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)
_log = logger.getChild("client")
# `call_options` overrides (wait, max_wait) for the calls in its block.
_OPTIONS: contextvars.ContextVar[tuple[bool, float | None] | None] = contextvars.ContextVar(
    "binance_margin_options", default=None
)


def _enum(kind: type[E], value: E | str, operation: str, parameter: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise BinanceValidationError(
            operation, f"{parameter} is {value!r}; it must be one of {allowed}", parameter=parameter
        ) from None


def _translated(error: Exception, operation_id: str, state: CallState) -> BinanceMarginError | None:
    """The typed error for what a generated call raised (None: let it through as it is).

    Only BinanceMarginError leaves a call: transport failures and malformed bodies become typed errors.
    (A function, not a context manager: this runs on every call's hot path only when something failed.)
    """
    if isinstance(error, BinanceMarginError):
        return error
    operation = OPERATIONS[operation_id]
    if isinstance(error, httpx.TransportError):
        return _transport_error(
            error, operation_id, may_have_executed=state.sent and operation.method != "GET"
        )
    if isinstance(error, _PARSE_ERRORS):
        return BinanceResponseError(
            status=200,
            code=None,
            message=f"the body does not match the spec's response schema ({type(error).__name__}: {error})",
            family=operation.family,
            operation=operation_id,
        )
    return None


def _transport_error(
    error: httpx.TransportError, operation: str, *, may_have_executed: bool
) -> BinanceTransportError:
    # Refused or timed out while connecting: nothing reached Binance. Anything later: it may have.
    not_sent = isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout))
    kind = type(error).__name__
    return BinanceTransportError(
        f"{kind}: {error}" if str(error) else kind,
        operation=operation,
        outcome_unknown=may_have_executed and not not_sent,
    )


class BinanceClient:
    """A signed Binance client for the operations of the spec, safe to run in many processes.

    Credentials come from the arguments or from the environment (BINANCE_API_KEY with BINANCE_API_SECRET,
    or BINANCE_PRIVATE_KEY_FILE and optionally BINANCE_PRIVATE_KEY_PASSPHRASE). `base_url` (SAPI) and
    `futures_base_url` (FAPI) default to the spec's hosts; point them at the test net or the local mock.

    Each operation has a sync method and an async one prefixed with `a`. `client.api` is the generated
    `AuthenticatedClient`, usable with every generated operation's `sync`/`asyncio` functions (they go
    through the same signing, budgets and guards, without the client-level retries).

    `transport` / `async_transport`: any httpx transport (HTTP/2 or an explicit proxy through httpx's
    own, `httpx.MockTransport` in unit tests). By default, the lean HTTP/1.1 transports
    (`HttpClientTransport`, `AsyncStreamTransport`); when HTTP_PROXY / HTTPS_PROXY / ALL_PROXY are set,
    httpx's own clients and transports, which honour them.

    Production options (keyword-only; see docs/production.md):

    - `storage_uri`: where weight budgets, 429/418 blocks and the 6-hour guard live. "memory://" (the
      default) is private to this client; a `limits` URI such as "redis://host:6379/0" shares them
      between processes and hosts behind one IP / one account.
    - `account`: the name of the account in shared keys (UID buckets, the 6-hour guard); default a hash
      of the API key (the key itself is never stored). `ip_label`: the name of the egress IP in shared
      keys (give processes behind different IPs different labels). `budget_namespace`: key prefix.
    - `wait` (default True): wait while a bucket is used up or blocked; False raises
      `BinanceWaitRefused` (with `retry_after`) at once. `max_wait`: refuse waits longer than this.
      `call_options(...)` overrides both for the calls inside a `with` block.
    - `time_sync` (default False): keep an estimate of Binance's clock (round-trip corrected) from
      /api/v3/time and /fapi/v1/time, refreshed every `time_sync_interval` seconds. A -1021 answer
      always resyncs and resends once, re-signed.
    - `retry`: the `RetryPolicy` for GETs (connection errors, 5xx). `retry_not_executed_posts`: also
      resend POSTs that provably did not execute (connection refused, FAPI 503 "Service Unavailable." /
      "Internal error…"). A POST whose outcome is unknown is never resent.
    - `on_call`: called with each `CallRecord` (weight used and remaining per bucket); `last_call`
      holds the latest one.
    - `window_seconds` / `window_guard`: shorten the rate-limit windows (to match a mock started with a
      shortened window) and the boundary guard; `clock` and `rng`: injectable time and jitter (tests).
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
        storage_uri: str = "memory://",
        account: str | None = None,
        ip_label: str = "ip",
        budget_namespace: str = "binance_margin",
        wait: bool = True,
        max_wait: float | None = None,
        time_sync: bool = False,
        time_sync_interval: float = 300.0,
        retry: RetryPolicy | None = None,
        retry_not_executed_posts: bool = False,
        on_call: Callable[[CallRecord], object] | None = None,
        window_seconds: float | None = None,
        window_guard: float | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not 0 < recv_window <= SIGNING.recv_window_maximum:
            raise BinanceConfigError(
                f"recvWindow {recv_window} is out of range: it must be between 1 and "
                f"{SIGNING.recv_window_maximum} ms"
            )
        if max_wait is not None and max_wait < 0:
            raise BinanceConfigError(f"max_wait {max_wait} must not be negative")
        self._credentials = credentials if credentials is not None else credentials_from_env()
        self._routes = Routes({"sapi": base_url, "fapi": futures_base_url})
        self._account = account_label(self._credentials.api_key, account)
        self.budget = Budget(
            storage_uri,
            account=self._account,
            namespace=budget_namespace,
            ip_label=ip_label,
            window_seconds=window_seconds,
            guard=window_guard,
        )
        self._clock: Clock = clock if clock is not None else SystemClock()
        self.server_clock = ServerClock(self._clock, enabled=time_sync, interval=time_sync_interval)
        self._observer = Observer(on_call)
        self._cooldown = Cooldown(self.budget, self._account)
        self._retry = retry if retry is not None else RetryPolicy()
        self._retry_not_executed_posts = retry_not_executed_posts
        self._rng = rng if rng is not None else random.Random()
        self._wait = wait
        self._max_wait = max_wait
        self.auth = BinanceAuth(
            self._credentials,
            self._routes,
            recv_window=recv_window,
            budget=self.budget,
            server_clock=self.server_clock,
            cooldown=self._cooldown,
            observer=self._observer,
            wait=wait,
            max_wait=max_wait,
        )
        base = str(self._routes.base(Routes.primary))
        self.api = AuthenticatedClient(
            base_url=base,
            token=_KEY_PLACEHOLDER,
            prefix="",
            auth_header_name=SIGNING.api_key_header,
            timeout=httpx.Timeout(timeout),
            httpx_args={"auth": self.auth},
        )
        # Unless proxies come from the environment (httpx's own transport honours them), calls go through
        # the direct clients on the lean transports: the generated functions' calls skip httpx's request
        # machinery (see _direct.py). A given transport is used the same way.
        proxied = proxies_in_environment()
        if transport is None and not proxied:
            transport = HttpClientTransport()
        if transport is not None:
            self.api.set_httpx_client(
                DirectClient(self.auth, base_url=base, timeout=timeout, transport=transport)
            )
        if async_transport is None and not proxied:
            from ._async_transport import AsyncStreamTransport  # asyncio: imported on construction only

            async_transport = AsyncStreamTransport()
        if async_transport is not None:
            self.api.set_async_httpx_client(
                AsyncDirectClient(self.auth, base_url=base, timeout=timeout, transport=async_transport)
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Self:
        """A client with credentials from the environment (see the class docstring)."""
        return cls(credentials_from_env(environ), **options)

    def __repr__(self) -> str:
        return (
            f"BinanceClient(credentials={self._credentials!r}, base_url={str(self._routes.base('sapi'))!r}, "
            f"futures_base_url={str(self._routes.base('fapi'))!r}, budget={self.budget!r}, "
            f"time_sync={self.server_clock.enabled})"
        )

    @property
    def last_call(self) -> CallRecord | None:
        """The record of the latest call that got an answer or failed in transport (any thread/task)."""
        return self._observer.last_call

    @contextmanager
    def call_options(self, *, wait: bool | None = None, max_wait: float | None = None) -> Iterator[None]:
        """Override `wait` / `max_wait` for the calls made inside the block (sync or async, this context)."""
        token = _OPTIONS.set(
            (self._wait if wait is None else wait, self._max_wait if max_wait is None else max_wait)
        )
        try:
            yield
        finally:
            _OPTIONS.reset(token)

    def next_exchange_allowed_ms(self) -> int:
        """Server time (ms) from which the small liability exchange is allowed again by the guard (0: now)."""
        return self._cooldown.next_allowed_ms(OPERATIONS["smallLiabilityExchange"])

    # -- calling the generated functions ----------------------------------------------------------------

    def _state(self, attempt: int) -> CallState:
        wait, max_wait = _OPTIONS.get() or (self._wait, self._max_wait)
        return CallState(wait=wait, max_wait=max_wait, attempt=attempt)

    def _retry_delay(self, operation_id: str, state: CallState, raised: Exception) -> float:
        """After a failed attempt: the delay before retrying, or raise its typed error (the original one
        when it is already typed or not ours to translate)."""
        error = _translated(raised, operation_id, state)
        if error is None:
            raise raised
        delay = self._failed(operation_id, state, error)
        if delay is None:
            if error is raised:
                raise raised
            raise error from raised
        return delay

    def _failed(self, operation_id: str, state: CallState, error: BinanceMarginError) -> float | None:
        """After a failed attempt: record/arm for transport errors; the delay before a retry, or None."""
        if not isinstance(error, BinanceServerError | BinanceTransportError):
            return None  # refused before sending, or an answer that a resend would not change
        operation = OPERATIONS[operation_id]
        if isinstance(error, BinanceTransportError):
            self._record_transport_failure(operation_id, state, error)
        if state.attempt >= self._retry.attempts or not may_retry(
            error, operation.method, retry_not_executed_posts=self._retry_not_executed_posts
        ):
            return None
        delay = self._retry.delay(state.attempt, self._rng)
        _log.warning(
            "%s: attempt %d failed (%s); retrying in %.3f s",
            operation_id,
            state.attempt,
            type(error).__name__,
            delay,
        )
        return delay

    def _record_transport_failure(
        self, operation_id: str, state: CallState, error: BinanceTransportError
    ) -> None:
        operation = OPERATIONS[operation_id]
        rule = once_rule(operation)
        if error.outcome_unknown and rule is not None:
            now = self.server_clock.now_ms(operation.family)
            self._cooldown.arm(operation, rule, now)
            _log.info("%s: once-per-interval guard armed (outcome unknown)", operation_id)
        self._observer.emit(
            CallRecord(
                operation=operation_id,
                method=operation.method,
                path=operation.path,
                family=operation.family,
                status=None,
                code=None,
                outcome="unknown" if error.outcome_unknown else ("error" if state.sent else "not-sent"),
                weight=operation.weight,
                buckets=(),
                attempt=state.attempt,
                requests=0,
                waited_seconds=0.0,
                duration_ms=0.0,
                time_offset_ms=self.server_clock.offset_ms(operation.family),
            )
        )

    def _call(self, operation_id: str, function: Callable[..., Response[Any]], **arguments: Any) -> Any:
        attempt = 1
        while True:
            state = self._state(attempt)
            token = current_call.set(state)
            try:
                return conforming(function, function(client=self.api, **arguments).parsed)
            except Exception as raised:
                delay = self._retry_delay(operation_id, state, raised)
            finally:
                current_call.reset(token)
            self._clock.sleep(delay)
            attempt += 1

    async def _acall(
        self, operation_id: str, function: Callable[..., Awaitable[Response[Any]]], **arguments: Any
    ) -> Any:
        attempt = 1
        while True:
            state = self._state(attempt)
            token = current_call.set(state)
            try:
                return conforming(function, (await function(client=self.api, **arguments)).parsed)
            except Exception as raised:
                delay = self._retry_delay(operation_id, state, raised)
            finally:
                current_call.reset(token)
            await self._clock.asleep(delay)
            attempt += 1

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
        """Exchange the small liabilities of `asset_names` (1 to 10 distinct coins).

        Guarded by the "once within 6 hours" rule per account: `BinanceCooldownError` (nothing sent)
        says when the next exchange is allowed. Never resent automatically.
        """
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

    # -- idempotent helpers -------------------------------------------------------------------------------

    def ensure_margin_type(self, symbol: str, margin_type: FuturesMarginType | str) -> MarginTypeResult:
        """Make sure `symbol` has `margin_type`: success whether it changed it or it was already so.

        -4046 ("No need to change margin type.") and -4067 (Binance's 2026 answer to the same no-op on a
        symbol with no position) mean "already so": `changed=False`. A real refusal (-4047 open orders,
        -4048 position, -4168 Multi-Assets mode, ...) is raised. Why -4067 can be read as a no-op here
        although its text speaks of open orders: the margin-type endpoint answers a change blocked by
        open orders with -4047, and -4067 is the code of the position-side operation (see
        `binance_margin._ensure` for the full reasoning). Because setting a margin type is idempotent,
        an answer whose outcome is unknown (5xx, timeout after sending) is followed by a resend (within
        the retry policy's attempts): if the first request executed, the resend answers with a no-op code.
        """
        kind = _enum(FuturesMarginType, margin_type, "changeMarginType", "marginType")
        attempt = 1
        while True:
            try:
                self.change_margin_type(symbol, kind)
                return changed(symbol, kind.value)
            except (BinanceAPIError, BinanceTransportError) as error:
                result = self._ensure_failed(error, symbol, kind.value, attempt)
                if result is not None:
                    return result
            self._clock.sleep(self._retry.delay(attempt, self._rng))
            attempt += 1

    async def aensure_margin_type(
        self, symbol: str, margin_type: FuturesMarginType | str
    ) -> MarginTypeResult:
        """Async `ensure_margin_type`."""
        kind = _enum(FuturesMarginType, margin_type, "changeMarginType", "marginType")
        attempt = 1
        while True:
            try:
                await self.achange_margin_type(symbol, kind)
                return changed(symbol, kind.value)
            except (BinanceAPIError, BinanceTransportError) as error:
                result = self._ensure_failed(error, symbol, kind.value, attempt)
                if result is not None:
                    return result
            await self._clock.asleep(self._retry.delay(attempt, self._rng))
            attempt += 1

    def _ensure_failed(
        self, error: BinanceAPIError | BinanceTransportError, symbol: str, margin_type: str, attempt: int
    ) -> MarginTypeResult | None:
        """After a failed change: its "already so" result, or None to resend; raises `error` when it is a
        refusal, or when the retry policy's attempts are used up."""
        if isinstance(error, BinanceAPIError):
            result = already_set(error, symbol, margin_type)
            if result is not None:
                _log.log(
                    logging.INFO if result.code == -4067 else logging.DEBUG,
                    "ensure_margin_type %s %s: already so (code %d%s)",
                    symbol,
                    margin_type,
                    result.code,
                    ", after a resend" if attempt > 1 else "",
                )
                return result
            if not isinstance(error, BinanceServerError):
                raise error
        if attempt >= self._retry.attempts:
            raise error
        return None

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
