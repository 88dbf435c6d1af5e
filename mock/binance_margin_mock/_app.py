"""The ASGI app: Binance's request handling for the spec's operations and the server-time endpoints."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Awaitable, Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, Final

from binance_margin_api.spec_metadata import (
    API_FAMILIES,
    OPERATIONS,
    RATE_LIMITS,
    SIGNING,
    ApiFamily,
    RateLimit,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ._clock import MockClock
from ._control import control_routes
from ._errors import Err, ErrorSpec, MockError, error_tables
from ._faults import FaultRule, Faults, fault_targets
from ._json import dumps
from ._keys import Verifier, verifier_for
from ._limits import BanBook, WeightBook
from ._scenario import Scenario, load_scenario
from ._state import Account, Exchange
from ._timing import check_timestamp
from ._validation import Validated, Validator, validator_for
from ._wire import split_signed

Action = Callable[[Exchange, Account, Validated, int], object]
Dropper = Callable[[Scope], Awaitable[None]]

_JSON: Final = "application/json"
_FORM: Final = b"application/x-www-form-urlencoded"
_NO_BODY: Final = object()  # an action's answer when the documented body is empty


class ConnectionDropped(ConnectionError):
    """In-process stand-in for a connection closed without an answer (a `drop` fault)."""


def _exchange_small_liability(exchange: Exchange, account: Account, params: Validated, now_ms: int) -> object:
    assets = params["assetNames"]
    assert isinstance(assets, list)
    exchange.exchange_small_liability(account, assets, now_ms)
    return _NO_BODY


# operationId -> what it does; the weights, limits and parameters come from the spec metadata.
_ACTIONS: Final[Mapping[str, Action]] = {
    "getSmallLiabilityExchangeCoinList": lambda exchange, account, _params, _now: exchange.coin_list(account),
    "smallLiabilityExchange": _exchange_small_liability,
    "marginManualLiquidation": lambda exchange, account, params, _now: exchange.liquidate(
        account,
        str(params["type"]),
        params.get("symbol"),  # type: ignore[arg-type]
    ),
    "changeMarginType": lambda exchange, account, params, _now: exchange.change_margin_type(
        account, str(params["symbol"]), str(params["marginType"])
    ),
}


@dataclasses.dataclass(frozen=True, slots=True)
class _Route:
    name: str  # what requests are counted under: the operationId, or "METHOD /path" (server time)
    target: str  # "METHOD /path"
    targets: tuple[str, ...]  # names a fault rule may use for it
    family: ApiFamily
    rate_limit: RateLimit
    weight: int
    by_uid: bool
    per_endpoint: bool
    validate: Validator | None  # None: the unsigned server-time endpoint
    action: Action | None

    def bucket(self, who: Hashable) -> Hashable:
        if self.per_endpoint:
            return (self.rate_limit.name, who, self.target)
        return (self.rate_limit.name, who)


def _routes() -> dict[str, dict[str, _Route]]:
    routes: dict[str, dict[str, _Route]] = {}
    for operation in OPERATIONS.values():
        limit = RATE_LIMITS[operation.rate_limit]
        target = f"{operation.method} {operation.path}"
        routes.setdefault(operation.path, {})[operation.method] = _Route(
            name=operation.operation_id,
            target=target,
            targets=fault_targets(operation.method, operation.path, operation.operation_id),
            family=API_FAMILIES[operation.family],
            rate_limit=limit,
            weight=operation.weight,
            by_uid=limit.counted_by == "UID",
            per_endpoint=limit.scope == "endpoint",
            validate=validator_for(operation),
            action=_ACTIONS[operation.operation_id],
        )
    for family in API_FAMILIES.values():
        time = family.server_time
        limit = RATE_LIMITS[time.rate_limit]
        target = f"GET {time.path}"
        routes.setdefault(time.path, {})["GET"] = _Route(
            name=target,
            target=target,
            targets=fault_targets("GET", time.path),
            family=family,
            rate_limit=limit,
            weight=time.weight,
            by_uid=False,
            per_endpoint=limit.scope == "endpoint",
            validate=None,
            action=None,
        )
    return routes


class MockApp(Starlette):
    """The local Binance. Binance paths take a lean path of their own; /_mock/* are Starlette routes."""

    def __init__(self, scenario: Scenario, clock: MockClock, faults: Faults) -> None:
        super().__init__(routes=control_routes())
        self.clock = clock
        self.faults = faults
        # Set by the server runner so a `drop` fault can close the socket; None in-process.
        self.drop_connection: Dropper | None = None
        self._routes = _routes()
        self._requests_lock = threading.Lock()
        self.load(scenario)

    def load(self, scenario: Scenario) -> None:
        """Start over from `scenario`: accounts, weights, bans, request counts (clock and faults are kept).
        A key that does not load is a ScenarioError, raised before anything changed."""
        keys: dict[str, tuple[int, Verifier]] = {
            key.api_key: (account.account_id, verifier_for(key))
            for account in scenario.accounts
            for key in account.keys
        }
        exchange = Exchange(scenario)  # before anything changes: a reset it refuses changes nothing
        self.scenario = scenario
        with self._requests_lock:
            self._requests = {
                route.name: 0 for methods in self._routes.values() for route in methods.values()
            }
        self.exchange = exchange
        self.weights = WeightBook(RATE_LIMITS, scenario.window_seconds)
        self.bans = BanBook(scenario.ban_after_violations, scenario.ban_seconds)
        self._errors: dict[str, dict[Err, ErrorSpec]] = error_tables(scenario.own_codes)
        self._keys = keys

    def requests(self) -> dict[str, int]:
        """How many requests reached each operation (by operationId; server time by "GET /path") since
        the start or the last reset, whatever they were answered (faults, errors and drops included)."""
        with self._requests_lock:
            return dict(self._requests)

    def reset(self, scenario: Scenario | None = None, *, clock: bool = False) -> None:
        """Back to the scenario's start (or a new scenario), with no fault rules; `clock` resets it too."""
        self.load(scenario or self.scenario)
        self.faults.clear()
        if clock:
            self.clock.reset()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            methods = self._routes.get(scope["path"])
            if methods is not None:
                route = methods.get(scope["method"])
                if route is None:
                    allow = {"Allow": ", ".join(sorted(methods))}
                    await Response(None, 405, allow)(scope, receive, send)
                else:
                    await self._serve(route, scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _serve(self, route: _Route, scope: Scope, receive: Receive, send: Send) -> None:
        with self._requests_lock:
            self._requests[route.name] += 1
        executed_faults: list[FaultRule] = []
        for rule in self.faults.take(route.targets):
            if rule.kind == "latency":
                await asyncio.sleep(rule.latency_seconds)
            elif rule.executed and rule.kind in ("error", "drop"):
                executed_faults.append(rule)
            else:
                await self._fault(rule, route, scope, receive, send)
                return
        response = await self._answer(route, Request(scope, receive))
        if executed_faults:
            await self._fault(executed_faults[0], route, scope, receive, send)
            return
        await response(scope, receive, send)

    async def _answer(self, route: _Route, request: Request) -> Response:
        now = self.clock.now_ms()
        family = route.family.name
        ip = _client_ip(request.scope)
        headers: dict[str, str] = {}
        try:
            until = self.bans.banned_until((family, ip), now)
            if until is not None:
                if not route.by_uid:
                    used = self.weights.used(route.rate_limit.name, route.bucket(ip), now)
                    headers[route.rate_limit.used_weight_header] = str(used)
                headers["Retry-After"] = str(-(-(until - now) // 1000))
                raise MockError(Err.IP_BANNED, until=until)
            if not route.by_uid:
                self._charge(route, ip, ip, headers, now)
            if route.validate is None or route.action is None:
                return _json({"serverTime": now}, 200, headers)
            account_id, verify = self._authenticate(request)
            body = b""
            if request.headers.get("content-type", "").lower().encode().startswith(_FORM):  # any case
                body = await request.body()
            signed = split_signed(
                request.scope["query_string"], body, strict_encoding=self.scenario.strict_percent_encoding
            )
            if not verify(signed.signed, signed.signature):
                raise MockError(Err.SIGNATURE)
            check_timestamp(signed.params, route.family, now)
            if route.by_uid:
                self._charge(route, account_id, ip, headers, now)
            params = route.validate(signed.params)
            result = route.action(self.exchange, self.exchange.accounts[account_id], params, now)
        except MockError as error:
            spec = self._errors[family][error.err]
            return _json({"code": spec.code, "msg": spec.msg.format_map(error.fields)}, spec.status, headers)
        if result is _NO_BODY:
            return Response(self.scenario.small_liability_exchange_body, 200, headers, _JSON)
        return _json(result, 200, headers)

    def _authenticate(self, request: Request) -> tuple[int, Verifier]:
        # The key comes before the signature: clients (and schemathesis) expect 401 for a bad key.
        api_key = request.headers.get(SIGNING.api_key_header)
        if not api_key or not api_key.isascii() or not api_key.isalnum():
            raise MockError(Err.KEY_FORMAT)
        entry = self._keys.get(api_key)
        if entry is None:
            raise MockError(Err.KEY_INVALID)
        return entry

    def _charge(self, route: _Route, who: Hashable, ip: str, headers: dict[str, str], now: int) -> None:
        charge = self.weights.charge(route.rate_limit.name, route.bucket(who), route.weight, now)
        headers[route.rate_limit.used_weight_header] = str(charge.used)
        ban_key = (route.family.name, ip)
        if not charge.retry_after:
            self.bans.forgive(ban_key)
            return
        headers["Retry-After"] = str(charge.retry_after)
        self.bans.strike(ban_key, now)
        raise MockError(
            Err.TOO_MUCH_WEIGHT,
            limit=route.rate_limit.limit,
            interval=_interval(self.weights.window_ms(route.rate_limit.name)),
        )

    async def _fault(
        self, rule: FaultRule, route: _Route, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if rule.kind == "drop":
            if self.drop_connection is None:
                raise ConnectionDropped(f"fault: {route.target} dropped without an answer")
            await self.drop_connection(scope)
            return
        now = self.clock.now_ms()
        headers = {"Retry-After": str(rule.retry_after)}
        if rule.kind == "error":
            response = _json({"code": rule.code, "msg": rule.msg}, rule.status, {})
        elif rule.kind == "rate_limit":
            err = Err.TOO_MUCH_WEIGHT
            spec = self._errors[route.family.name][err]
            interval = _interval(self.weights.window_ms(route.rate_limit.name))
            response = _json(
                {"code": spec.code, "msg": spec.msg.format(limit=route.rate_limit.limit, interval=interval)},
                spec.status,
                headers,
            )
        else:  # ban
            until = now + rule.retry_after * 1000
            self.bans.ban((route.family.name, _client_ip(scope)), until)
            spec = self._errors[route.family.name][Err.IP_BANNED]
            response = _json({"code": spec.code, "msg": spec.msg.format(until=until)}, spec.status, headers)
        await response(scope, receive, send)


def _json(body: Any, status: int, headers: Mapping[str, str]) -> Response:
    return Response(dumps(body), status, dict(headers), _JSON)


def _interval(window_ms: int) -> str:
    if window_ms % 60_000 == 0:
        return f"{window_ms // 60_000} MINUTE"
    return f"{window_ms / 1000:g} SECOND"


def _client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "?"


def create_app(
    scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
    clock: MockClock | None = None,
    faults: Faults | None = None,
) -> MockApp:
    """The mock as an ASGI app. `scenario`: a Scenario, a .toml/.json path, a mapping, or the default."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return MockApp(scenario, clock or MockClock(), faults or Faults())
