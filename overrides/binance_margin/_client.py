"""BinanceClient: the typed entry point for sync and async code, over the one call engine."""

from __future__ import annotations

import contextvars
import logging
import os
import random
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Final, Self, TypedDict, Unpack, cast

import attrs
from binance_margin_api.models import CodeMessage, FuturesMarginType, LiabilityCoin, MarginAccountType
from binance_margin_api.spec_metadata import (
    OPERATIONS,
    SIGNING,
    FuturesMarginTypeValue,
    MarginAccountTypeValue,
)

from ._budget import Budget, account_label
from ._cooldown import Cooldown
from ._credentials import Credentials, credentials_from_env
from ._drive import AsyncSender, SyncSender, arun, on_asyncio, run
from ._engine import CallOptions, Engine, Flow, Result, Sleep
from ._ensure import MarginTypeResult, already_set, earlier_attempt_unknown
from ._errors import (
    BinanceAPIError,
    BinanceConfigError,
    BinanceMarginError,
    BinanceServerError,
    BinanceTransportError,
)
from ._observe import CallRecord, Observer, logger
from ._options import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_WAIT,
    DEFAULT_TIMEOUT,
    MAX_TIMEOUT,
    MAX_WAIT,
    flag,
    has_methods,
    instance,
    integer,
    number,
    optional,
    text,
)
from ._retry import RetryPolicy
from ._routing import Routes, environment_proxies
from ._timesync import Clock, ServerClock, SystemClock
from ._wire import check_header_value, closed_during_call, tls_context

if TYPE_CHECKING:
    import httpx
    from binance_margin_api.client import AuthenticatedClient

_log = logger.getChild("client")
# `call_options` overrides (wait, max_wait) for the calls in its block, whichever way they come in.
_OPTIONS: contextvars.ContextVar[CallOptions | None] = contextvars.ContextVar(
    "binance_margin_options", default=None
)
# What the client calls on a transport, async transport or clock it is given.
_SYNC: Final = ("handle_request", "close")
_ASYNC: Final = ("handle_async_request", "aclose")
_CLOCK: Final = ("wall_ms", "sleep", "asleep")
ENV_BASE_URL = "BINANCE_BASE_URL"
ENV_FUTURES_BASE_URL = "BINANCE_FUTURES_BASE_URL"


def _env_url(given: str | None, env: Mapping[str, str], variable: str) -> str | None:
    """A host given to the client, else the environment's (an empty variable counts as unset)."""
    return given if given is not None else env.get(variable) or None


class ClientOptions(TypedDict, total=False):
    """The keyword options of `BinanceClient` (what `from_env` passes on; a test keeps the two equal)."""

    base_url: str | None
    futures_base_url: str | None
    testnet: bool
    allow_default_hosts: bool
    recv_window: int
    timeout: float
    max_response_bytes: int
    transport: httpx.BaseTransport | None
    async_transport: httpx.AsyncBaseTransport | None
    storage_uri: str
    account: str | None
    ip_label: str
    budget_namespace: str
    wait: bool
    max_wait: float
    time_sync: bool
    time_sync_interval: float
    retry: RetryPolicy | None
    retry_not_executed_posts: bool
    on_call: Callable[[CallRecord], object] | None
    window_seconds: float | None
    window_guard: float | None
    clock: Clock | None
    rng: random.Random | None


class BinanceClient:
    """A signed Binance client for the operations of the spec, safe to run in many processes.

    Each operation has a sync method and an async one prefixed with `a`; `client.api` is the generated
    client, whose functions run the same engine. Options (README.md, docs/consuming.md and
    docs/production.md say more):

    - credentials: given, else from the environment (and then BINANCE_BASE_URL / _FUTURES_BASE_URL too);
    - hosts: `base_url` (SAPI) and `futures_base_url` (FAPI), both or neither (or `allow_default_hosts`);
      `testnet` for the USD-M futures test net (there is no margin test net);
    - HTTP: `timeout` (a deadline per whole answer), `max_response_bytes`, `transport` /
      `async_transport` (any httpx transport instead of httpcore / aiohttp), `recv_window`;
    - budgets and the 6-hour guard: `storage_uri` ("memory://" or a shared `limits` URI such as Redis),
      `account`, `ip_label`, `budget_namespace`, `wait` / `max_wait` (longer waits are refused at once),
      `window_seconds` / `window_guard` (to match a mock with short windows);
    - `time_sync`, `time_sync_interval`; `retry`, `retry_not_executed_posts` (GETs are retried, POSTs
      only if they provably did not execute and you opt in); `on_call` for each `CallRecord`;
      `clock` and `rng` (injectable time and jitter).
    """

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        base_url: str | None = None,
        futures_base_url: str | None = None,
        testnet: bool = False,
        allow_default_hosts: bool = False,
        recv_window: int = SIGNING.recv_window_default,
        timeout: float = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        storage_uri: str = "memory://",
        account: str | None = None,
        ip_label: str = "ip",
        budget_namespace: str = "binance_margin",
        wait: bool = True,
        max_wait: float = DEFAULT_MAX_WAIT,
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
        if credentials is None:
            credentials = credentials_from_env()
            base_url = _env_url(base_url, os.environ, ENV_BASE_URL)
            futures_base_url = _env_url(futures_base_url, os.environ, ENV_FUTURES_BASE_URL)
        has_methods("credentials", credentials, ("sign",), "a Credentials object (HmacCredentials, ...)")
        # Any Credentials, not only ours: its key goes in a header.
        check_header_value("the API key", getattr(credentials, "api_key", None))
        testnet = flag("testnet", testnet)
        if testnet and futures_base_url is not None:
            raise BinanceConfigError(
                f"give testnet=True or futures_base_url (or ${ENV_FUTURES_BASE_URL} with from_env), not both"
            )
        allow_default_hosts = flag("allow_default_hosts", allow_default_hosts)
        if not (testnet or allow_default_hosts) and (base_url is None) != (futures_base_url is None):
            names = ("base_url", "futures_base_url")
            given, missing = names if futures_base_url is None else names[::-1]
            raise BinanceConfigError(
                f"{given} is set but {missing} is not: that family's calls would go to Binance's production "
                f"host. Set {missing} too (the local mock serves both), or pass allow_default_hosts=True "
                "(CLI: --allow-default-hosts) to confirm"
            )
        self._routes = Routes({"sapi": base_url, "fapi": futures_base_url}, testnet=testnet)
        self._credentials = credentials
        recv_window = integer(
            f"recv_window ({SIGNING.recv_window_parameter})",
            recv_window,
            low=1,
            high=SIGNING.recv_window_maximum,
        )
        timeout = number("timeout", timeout, above=True, at_most=MAX_TIMEOUT)
        self._max_bytes = integer("max_response_bytes", max_response_bytes, low=1)
        has_methods("transport", transport, _SYNC, "an httpx transport")
        has_methods("async_transport", async_transport, _ASYNC, "an httpx async transport")
        self._transport = transport
        self._async_transport = async_transport
        self._default_options = CallOptions(
            wait=flag("wait", wait), max_wait=number("max_wait", max_wait, at_most=MAX_WAIT)
        )
        self._account = account_label(credentials.api_key, optional(text, "account", account))
        self.budget = Budget(
            text("storage_uri", storage_uri),
            account=self._account,
            namespace=text("budget_namespace", budget_namespace),
            ip_label=text("ip_label", ip_label),
            window_seconds=optional(number, "window_seconds", window_seconds, above=True),
            guard=optional(number, "window_guard", window_guard),
        )
        has_methods("clock", clock, _CLOCK, "a Clock")
        self._clock: Clock = clock if clock is not None else SystemClock()
        self.server_clock = ServerClock(
            self._clock,
            enabled=flag("time_sync", time_sync),
            interval=number("time_sync_interval", time_sync_interval, above=True),
        )
        if on_call is not None and not callable(on_call):
            raise BinanceConfigError("on_call must be callable")
        self._observer = Observer(on_call)
        self._cooldown = Cooldown(self.budget, self._account)
        self._retry = instance("retry", retry, RetryPolicy, "a RetryPolicy")
        self._rng = instance("rng", rng, random.Random, "a random.Random")
        self._engine = Engine(
            credentials=credentials,
            routes=self._routes,
            recv_window=recv_window,
            timeout=timeout,
            budget=self.budget,
            server_clock=self.server_clock,
            cooldown=self._cooldown,
            observer=self._observer,
            retry=self._retry,
            retry_not_executed_posts=flag("retry_not_executed_posts", retry_not_executed_posts),
            rng=self._rng,
            max_response_bytes=self._max_bytes,
        )
        self._lock = threading.Lock()
        self._sync_sender: SyncSender | None = None
        self._async_senders: dict[str, AsyncSender] = {}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Unpack[ClientOptions]) -> Self:
        """A client with credentials and hosts from `environ` (default os.environ); see the class."""
        env = os.environ if environ is None else environ
        options["base_url"] = _env_url(options.get("base_url"), env, ENV_BASE_URL)
        options["futures_base_url"] = _env_url(options.get("futures_base_url"), env, ENV_FUTURES_BASE_URL)
        return cls(credentials_from_env(env), **options)

    def __repr__(self) -> str:
        return (
            f"BinanceClient(credentials={self._credentials!r}, base_url={self._routes.url('sapi')!r}, "
            f"futures_base_url={self._routes.url('fapi')!r}, budget={self.budget!r}, "
            f"time_sync={self.server_clock.enabled})"
        )

    @property
    def last_call(self) -> CallRecord | None:
        """The record of the latest call (any thread or task)."""
        return self._observer.last_call

    @contextmanager
    def call_options(self, *, wait: bool | None = None, max_wait: float | None = None) -> Iterator[None]:
        """Override `wait` / `max_wait` for the calls made inside the block (sync or async, this context)."""
        current = self._options()
        token = _OPTIONS.set(
            CallOptions(
                wait=current.wait if wait is None else flag("wait", wait),
                max_wait=current.max_wait
                if max_wait is None
                else number("max_wait", max_wait, at_most=MAX_WAIT),
            )
        )
        try:
            yield
        finally:
            _OPTIONS.reset(token)

    def next_exchange_allowed_ms(self) -> int:
        """Server time (ms) from which the small liability exchange is allowed again by the guard (0: now)."""
        return self._cooldown.next_allowed_ms(OPERATIONS["smallLiabilityExchange"])

    # -- the engine's doors -------------------------------------------------------------------------------

    def _options(self) -> CallOptions:
        return _OPTIONS.get() or self._default_options

    # The sender is set up before the call's first reservation: set up between it and the request (the
    # HTTP library's import, its TLS context), it would delay the request into the next window. What
    # keeps it from being set up (a proxy or certificates of the environment) refuses the call in the
    # engine, which records it; a closed client sets up nothing (the engine refuses the call too).
    def _ready(self, set_up: Callable[[], object]) -> BinanceConfigError | None:
        try:
            if not self._engine.closed:
                set_up()
        except BinanceConfigError as error:
            return error
        return None

    def _check_open(self) -> None:
        # Asked for each request; the engine refuses a call begun after close(), so this one had begun.
        if self._engine.closed:  # connections made after close() would never be closed
            raise closed_during_call()

    def _sender(self) -> SyncSender:
        self._check_open()
        with self._lock:
            if self._sync_sender is None:
                self._sync_sender = self._new_sender()
            return self._sync_sender

    def _new_sender(self) -> SyncSender:
        if self._transport is not None:
            from ._http_httpx import HttpxSender

            return HttpxSender(self._transport, max_response_bytes=self._max_bytes)
        from ._http_sync import HttpcoreSender  # imported on the first sync call

        proxies = environment_proxies(self._routes.origins())
        return HttpcoreSender(max_response_bytes=self._max_bytes, proxies=proxies)

    def _asender(self) -> AsyncSender:
        # A given transport serves any event loop; otherwise aiohttp on asyncio, httpx's own elsewhere (trio).
        self._check_open()
        kind = "aiohttp" if self._async_transport is None and on_asyncio() else "httpx"
        sender = self._async_senders.get(kind)
        if sender is None:
            sender = self._async_senders[kind] = self._new_async_sender(kind)
        return sender

    def _new_async_sender(self, kind: str) -> AsyncSender:
        from ._http_httpx import HttpxAsyncSender

        if self._async_transport is not None:
            return HttpxAsyncSender(self._async_transport, max_response_bytes=self._max_bytes)
        proxies = environment_proxies(self._routes.origins())
        if kind == "aiohttp":
            from ._http_async import AiohttpSender  # imported on the first async call

            return AiohttpSender(max_response_bytes=self._max_bytes, proxies=proxies)
        import httpx

        context = tls_context()
        proxied = {
            origin: httpx.AsyncHTTPTransport(proxy=proxy.url, verify=context)
            for origin, proxy in proxies.items()
        }
        return HttpxAsyncSender(
            httpx.AsyncHTTPTransport(verify=context), max_response_bytes=self._max_bytes, proxied=proxied
        )

    def _run(self, operation_id: str, arguments: Mapping[str, object]) -> Result:
        flow = self._engine.call(operation_id, arguments, self._options(), refused=self._ready(self._sender))
        return run(flow, self._sender, self._clock)

    async def _arun(self, operation_id: str, arguments: Mapping[str, object]) -> Result:
        flow = self._engine.call(operation_id, arguments, self._options(), refused=self._ready(self._asender))
        return await arun(flow, self._asender, self._clock)

    @cached_property
    def api(self) -> AuthenticatedClient:
        """The generated client: `<operation>.sync(client=client.api)` and friends run this engine."""
        from ._api import generated_client

        return generated_client(self, self._routes)

    # -- the four operations ----------------------------------------------------------------------------

    def coin_list(self) -> list[LiabilityCoin]:
        """GET the coins whose small liabilities can be exchanged."""
        return cast(list[LiabilityCoin], self._run("getSmallLiabilityExchangeCoinList", {}).value)

    async def acoin_list(self) -> list[LiabilityCoin]:
        """Async `coin_list`."""
        return cast(list[LiabilityCoin], (await self._arun("getSmallLiabilityExchangeCoinList", {})).value)

    def exchange_small_liability(self, asset_names: list[str] | tuple[str, ...]) -> None:
        """Exchange the small liabilities of `asset_names` (1 to 10 distinct coins; a list, not one str).

        Guarded by the "once within 6 hours" rule per account: `BinanceCooldownError` (nothing sent)
        says when the next exchange is allowed. Never resent automatically.
        """
        self._run("smallLiabilityExchange", {"assetNames": asset_names})

    async def aexchange_small_liability(self, asset_names: list[str] | tuple[str, ...]) -> None:
        """Async `exchange_small_liability`."""
        await self._arun("smallLiabilityExchange", {"assetNames": asset_names})

    def manual_liquidation(
        self, account_type: MarginAccountType | MarginAccountTypeValue, symbol: str | None = None
    ) -> list[LiabilityCoin]:
        """Liquidate the cross margin account (MARGIN) or one isolated `symbol` (ISOLATED)."""
        return _as_list(self._run("marginManualLiquidation", {"type": account_type, "symbol": symbol}).value)

    async def amanual_liquidation(
        self, account_type: MarginAccountType | MarginAccountTypeValue, symbol: str | None = None
    ) -> list[LiabilityCoin]:
        """Async `manual_liquidation`."""
        result = await self._arun("marginManualLiquidation", {"type": account_type, "symbol": symbol})
        return _as_list(result.value)

    def change_margin_type(
        self, symbol: str, margin_type: FuturesMarginType | FuturesMarginTypeValue
    ) -> CodeMessage:
        """Set USD-M futures `symbol`'s margin type (ISOLATED or CROSSED)."""
        result = self._run("changeMarginType", {"symbol": symbol, "marginType": margin_type})
        return cast(CodeMessage, result.value)

    async def achange_margin_type(
        self, symbol: str, margin_type: FuturesMarginType | FuturesMarginTypeValue
    ) -> CodeMessage:
        """Async `change_margin_type`."""
        result = await self._arun("changeMarginType", {"symbol": symbol, "marginType": margin_type})
        return cast(CodeMessage, result.value)

    # -- idempotent helpers -------------------------------------------------------------------------------

    def ensure_margin_type(
        self, symbol: str, margin_type: FuturesMarginType | FuturesMarginTypeValue
    ) -> MarginTypeResult:
        """Make sure `symbol` has `margin_type`: `changed=False` when it already had it (-4046, or -4067
        for the same no-op; `_ensure` says why), a real refusal raised. Being idempotent, it resends after
        an unknown outcome, within the retry policy's attempts; a no-op answer to such a resend gives
        `changed=None` (the first request may have made the change)."""
        return run(self._ensure(symbol, margin_type, self._ready(self._sender)), self._sender, self._clock)

    async def aensure_margin_type(
        self, symbol: str, margin_type: FuturesMarginType | FuturesMarginTypeValue
    ) -> MarginTypeResult:
        """Async `ensure_margin_type`."""
        return await arun(
            self._ensure(symbol, margin_type, self._ready(self._asender)), self._asender, self._clock
        )

    def _ensure(
        self,
        symbol: str,
        margin_type: FuturesMarginType | FuturesMarginTypeValue,
        setup_error: BinanceConfigError | None,
    ) -> Flow[MarginTypeResult]:
        # One flow of engine calls for both drivers: each attempt is a whole call (its own record).
        arguments = {"symbol": symbol, "marginType": margin_type}
        value = str(getattr(margin_type, "value", margin_type))  # an enum member as its value
        attempt = 1
        may_have_changed = False  # an earlier attempt may have executed: "already so" is then ours, maybe
        while True:
            try:
                changed = yield from self._engine.call(
                    "changeMarginType", arguments, self._options(), refused=setup_error
                )
                return MarginTypeResult(
                    symbol, value, changed=True, code=cast(CodeMessage, changed.value).code
                )
            except (BinanceAPIError, BinanceTransportError) as error:
                # "Already so" is a result; a refusal, or a failure with no attempt left, is raised.
                result = already_set(error, symbol, value) if isinstance(error, BinanceAPIError) else None
                if result is not None:
                    if may_have_changed:
                        result = attrs.evolve(result, changed=None)
                    _log.log(
                        logging.INFO if result.code == -4067 else logging.DEBUG,
                        "ensure_margin_type %s %s: already so (code %d%s)",
                        symbol,
                        result.margin_type,
                        result.code,
                        ", after a resend" if attempt > 1 else "",
                    )
                    return result
                refused = isinstance(error, BinanceAPIError) and not isinstance(error, BinanceServerError)
                if refused or attempt >= self._retry.attempts:
                    if may_have_changed and not error.outcome_unknown:
                        raise earlier_attempt_unknown(error, "changeMarginType") from error
                    raise
                may_have_changed = may_have_changed or error.outcome_unknown
            except BinanceMarginError as error:  # refused before sending (a budget wait, the storage)
                if may_have_changed:
                    raise earlier_attempt_unknown(error, "changeMarginType") from error
                raise
            yield Sleep(self._retry.delay(attempt, self._rng))
            attempt += 1

    # -- lifecycle ----------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the sync connections; the client takes no more calls (`aclose` closes the async ones)."""
        self._engine.close()
        sender, self._sync_sender = self._sync_sender, None
        if sender is not None:
            sender.close()

    async def aclose(self) -> None:
        """Close the async connections, and the sync ones if the client made sync calls too; the client
        takes no more calls."""
        senders, self._async_senders = self._async_senders, {}
        for sender in senders.values():
            await sender.aclose()
        self.close()

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


def _as_list(result: LiabilityCoin | list[LiabilityCoin]) -> list[LiabilityCoin]:
    # The docs show one object; older specs an array: callers always get a list.
    return result if isinstance(result, list) else [result]
