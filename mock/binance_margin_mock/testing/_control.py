"""The control client: the mock's /_mock/* endpoints over HTTP, typed, as a test in any process uses them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import TracebackType
from typing import Any, Literal, TypedDict, cast

import httpx

from .._faults import FaultKind, FaultRule
from .._json import dumps, loads

Fapi503 = Literal["unknown", "unavailable", "internal"]


class CoinState(TypedDict):
    """One liability as the mock holds it (the LiabilityCoin shape); liabilityQty is exact."""

    asset: str
    interest: str
    principal: str
    liabilityAsset: str
    liabilityQty: Decimal


class FuturesSymbolState(TypedDict):
    marginType: str
    openOrders: int
    position: str


class AccountState(TypedDict):
    cross: list[CoinState]
    isolated: dict[str, list[CoinState]]
    futures: dict[str, FuturesSymbolState]
    lastExchangeMs: int | None  # the last successful small liability exchange (server time, ms)


class MockState(TypedDict):
    """GET /_mock/state. `accounts` by account id (as a string, as in JSON); `requests` by operationId,
    or "GET /path" for the server-time endpoints."""

    serverTime: int
    accounts: dict[str, AccountState]
    faults: list[dict[str, Any]]
    requests: dict[str, int]


class ClockState(TypedDict):
    serverTime: int
    frozen: bool


class MockControlError(ValueError):
    """The mock refused a control request (a malformed fault rule or scenario); the text says why."""


class MockControl:
    """Drive a running mock: `MockControl("http://127.0.0.1:8765")`, or `running_mock().control`.

    Every method is one HTTP request to the mock's control endpoints; amounts come back as Decimal.
    Close it (or use it as a context manager) when you created it yourself.
    """

    def __init__(self, base_url: str, *, timeout: float = 10.0, http: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = http or httpx.Client(base_url=self.base_url, timeout=timeout)
        self._owns_http = http is None

    def _request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        content = None if body is None else dumps(body).encode("utf-8")
        headers = {} if body is None else {"Content-Type": "application/json"}
        response = self._http.request(method, f"/_mock/{path}", content=content, headers=headers)
        if response.status_code == 400:
            raise MockControlError(str(loads(response.content).get("error", response.text)))
        response.raise_for_status()
        return loads(response.content)

    # -- state --------------------------------------------------------------------------------------------

    def state(self) -> MockState:
        """Server time, every account's liabilities, futures symbols and last exchange, faults, requests."""
        return cast(MockState, self._request("GET", "state"))

    def requests(self) -> dict[str, int]:
        """How many requests reached each operation since the start or the last reset."""
        return self.state()["requests"]

    def request_count(self, operation: str) -> int:
        """Requests that reached `operation` (an operationId, or "GET /path" for server time)."""
        counts = self.requests()
        if operation not in counts:
            raise KeyError(f"the mock serves no operation {operation!r}; it counts {sorted(counts)}")
        return counts[operation]

    # -- clock --------------------------------------------------------------------------------------------

    def clock(self) -> ClockState:
        return cast(ClockState, self._request("GET", "clock"))

    def now_ms(self) -> int:
        """The mock's server time (ms)."""
        return self.clock()["serverTime"]

    def advance(self, seconds: float) -> int:
        """Move the mock's time forward (back, if negative) without waiting; the new time (ms)."""
        return cast(ClockState, self._request("POST", "clock", {"advance_seconds": seconds}))["serverTime"]

    def set_time_ms(self, ms: int) -> int:
        return cast(ClockState, self._request("POST", "clock", {"set_ms": ms}))["serverTime"]

    def freeze(self) -> int:
        """Stop the mock's clock (it moves only by advance/set_time_ms); the time (ms)."""
        return cast(ClockState, self._request("POST", "clock", {"freeze": True}))["serverTime"]

    def unfreeze(self) -> int:
        return cast(ClockState, self._request("POST", "clock", {"freeze": False}))["serverTime"]

    # -- faults -------------------------------------------------------------------------------------------

    def faults(self) -> list[FaultRule]:
        """The active fault rules (counted ones with what is left of their count)."""
        return _rules(self._request("GET", "faults"))

    def add_fault(
        self,
        kind: FaultKind,
        *,
        operation: str | None = None,
        count: int | None = None,
        latency_seconds: float | None = None,
        status: int | None = None,
        code: int | None = None,
        msg: str | None = None,
        executed: bool | None = None,
        retry_after: int | None = None,
        fapi_503: Fapi503 | None = None,
    ) -> list[FaultRule]:
        """Add one rule (fields as `FaultRule`; `fapi_503` picks a FAPI 503 message); all active rules."""
        given = {
            "operation": operation,
            "count": count,
            "latency_seconds": latency_seconds,
            "status": status,
            "code": code,
            "msg": msg,
            "executed": executed,
            "retry_after": retry_after,
            "fapi_503": fapi_503,
        }
        rule = {"kind": kind, **{name: value for name, value in given.items() if value is not None}}
        return _rules(self._request("POST", "faults", rule))

    def add_faults(self, *rules: FaultRule) -> list[FaultRule]:
        """Add `FaultRule` objects, in order; all active rules."""
        return _rules(self._request("POST", "faults", {"rules": [rule.to_json() for rule in rules]}))

    def clear_faults(self) -> None:
        self._request("DELETE", "faults")

    # -- reset --------------------------------------------------------------------------------------------

    def reset(self, scenario: Mapping[str, Any] | None = None, *, clock: bool = False) -> int:
        """Back to the scenario's start (or to `scenario`, a mapping shaped like a scenario file): accounts,
        weights, bans and request counts; faults cleared; with `clock`, the clock back to wall time.
        Returns the server time (ms)."""
        body: dict[str, Any] = {"clock": clock}
        if scenario is not None:
            body["scenario"] = scenario
        return int(self._request("POST", "reset", body)["serverTime"])

    # -- lifetime -----------------------------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> MockControl:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MockControl({self.base_url!r})"


def _rules(answer: Mapping[str, Any]) -> list[FaultRule]:
    return [FaultRule.from_json(raw) for raw in answer["rules"]]
