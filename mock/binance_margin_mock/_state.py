"""The accounts' mutable state and the three business operations on it."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar

from binance_margin_api.spec_metadata import OPERATIONS, MaxLiabilityValue, OncePerInterval

from ._errors import Err, MockError
from ._scenario import NOOP_ERRORS, Liability, Scenario

_T = TypeVar("_T")


def _rule(operation_id: str, kind: type[_T]) -> _T:
    for rule in OPERATIONS[operation_id].rules:
        if isinstance(rule, kind):
            return rule
    raise LookupError(f"{operation_id} has no {kind.__name__} rule in the spec")


_ONCE: Final = _rule("smallLiabilityExchange", OncePerInterval)
_ELIGIBLE: Final = _rule("smallLiabilityExchange", MaxLiabilityValue)
SUCCESS: Final = {"code": 200, "msg": "success"}

LiabilityCoin = dict[str, str | Decimal]


@dataclasses.dataclass
class FuturesState:
    margin_type: str
    open_orders: int
    position: Decimal


@dataclasses.dataclass
class Account:
    account_id: int
    margin_account: bool
    cross: dict[str, Liability]
    isolated: dict[str, dict[str, Liability]]
    futures: dict[str, FuturesState]
    last_exchange_ms: int | None = None
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


class Exchange:
    """All accounts of one scenario; rebuilt from it by `reset`."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.accounts: dict[int, Account] = {}
        self.reset()

    def reset(self) -> None:
        self.accounts = {
            spec.account_id: Account(
                account_id=spec.account_id,
                margin_account=spec.margin_account,
                cross={item.asset: item for item in spec.cross},
                isolated={
                    symbol: {item.asset: item for item in items} for symbol, items in spec.isolated.items()
                },
                futures={
                    item.symbol: FuturesState(item.margin_type, item.open_orders, _decimal(item.position))
                    for item in spec.futures
                },
            )
            for spec in self.scenario.accounts
        }

    def symbol_exists(self, symbol: str) -> bool:
        return self.scenario.any_symbol or symbol in self.scenario.symbols

    # GET /sapi/v1/margin/exchange-small-liability
    def coin_list(self, account: Account) -> list[LiabilityCoin]:
        return [_coin(item) for item in account.cross.values() if item.usdt_value < _ELIGIBLE.below]

    # POST /sapi/v1/margin/exchange-small-liability
    def exchange_small_liability(self, account: Account, assets: list[str], now_ms: int) -> None:
        default = self.scenario.default_liability
        with account.lock:
            last = account.last_exchange_ms
            if last is not None and now_ms - last < _ONCE.interval_seconds * 1000:
                raise MockError(Err.EXCHANGE_COOLDOWN, doc=_ONCE.doc)
            picked: list[str] = []
            for asset in assets:
                item = account.cross.get(asset) or (
                    None if default is None else dataclasses.replace(default, asset=asset)
                )
                if item is None or item.usdt_value >= _ELIGIBLE.below:
                    raise MockError(Err.LIABILITY_NOT_ELIGIBLE, doc=_ELIGIBLE.doc, asset=asset)
                picked.append(asset)
            for asset in picked:
                account.cross.pop(asset, None)
            account.last_exchange_ms = now_ms

    # POST /sapi/v1/margin/manual-liquidation
    def liquidate(self, account: Account, margin_type: str, symbol: str | None) -> Any:
        default = self.scenario.default_liability
        with account.lock:
            if margin_type == "ISOLATED":
                assert symbol is not None  # the required-if rule was checked
                if not self.symbol_exists(symbol):
                    raise MockError(Err.INVALID_SYMBOL)
                book = account.isolated.get(symbol)
                if book is None and default is not None:
                    book = account.isolated[symbol] = {"USDT": dataclasses.replace(default, asset="USDT")}
                if book is None:
                    raise MockError(Err.NO_MARGIN_ACCOUNT)
            else:
                if not account.margin_account:
                    raise MockError(Err.NO_MARGIN_ACCOUNT)
                book = account.cross
            if not book:
                raise MockError(Err.NO_LIABILITIES)
            coins = [_coin(item) for item in book.values()]
            book.clear()
        if self.scenario.manual_liquidation == "auto" and len(coins) == 1:
            return coins[0]
        return coins

    # POST /fapi/v1/marginType
    def change_margin_type(self, account: Account, symbol: str, margin_type: str) -> Mapping[str, object]:
        if not self.symbol_exists(symbol):
            raise MockError(Err.INVALID_SYMBOL)
        with account.lock:
            state = account.futures.get(symbol)
            if state is None:
                state = account.futures[symbol] = FuturesState("CROSSED", 0, Decimal(0))
            if state.margin_type == margin_type:
                noop = self.scenario.margin_type_noop
                if noop == "success":
                    return SUCCESS
                raise MockError(NOOP_ERRORS[noop])
            if margin_type == "ISOLATED" and self.scenario.multi_assets_mode:
                raise MockError(Err.MULTI_ASSETS_MODE)
            if state.open_orders:
                raise MockError(Err.MARGIN_TYPE_OPEN_ORDERS)
            if state.position:
                raise MockError(Err.MARGIN_TYPE_POSITION)
            state.margin_type = margin_type
        return SUCCESS

    def snapshot(self) -> dict[str, Any]:
        """The accounts as JSON, for GET /_mock/state."""
        return {
            str(account.account_id): {
                "cross": [_coin(item) for item in account.cross.values()],
                "isolated": {
                    s: [_coin(item) for item in book.values()] for s, book in account.isolated.items()
                },
                "futures": {
                    s: {"marginType": f.margin_type, "openOrders": f.open_orders, "position": str(f.position)}
                    for s, f in account.futures.items()
                },
                "lastExchangeMs": account.last_exchange_ms,
            }
            for account in self.accounts.values()
        }


def _coin(item: Liability) -> LiabilityCoin:
    return {
        "asset": item.asset,
        "interest": item.interest,
        "principal": item.principal,
        "liabilityAsset": _ELIGIBLE.asset,
        "liabilityQty": item.usdt_value,
    }


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"position {value!r} is not a decimal") from None
