"""The scenario: accounts, liabilities, futures symbols and server knobs, loaded from TOML or JSON."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal, TypeGuard, get_args

from binance_margin_api.spec_metadata import OPERATIONS

from ._errors import FAMILY_ERRORS, OWN_CODES, Err, check_own_codes

SCENARIO_DIR: Final = Path(__file__).parent / "scenarios"
DEFAULT_SCENARIO: Final = SCENARIO_DIR / "default.toml"
FUZZ_SCENARIO: Final = SCENARIO_DIR / "fuzz.toml"
EXAMPLE_SCENARIO: Final = SCENARIO_DIR / "example.toml"  # every option, commented: docs/mock.md shows it
DEMO_KEYS_DIR: Final = SCENARIO_DIR.parent / "demo_keys"

KeyKind = Literal["HMAC", "RSA", "ED25519"]
NoopAnswer = Literal["-4046", "-4067", "success"]
# The error a no-op margin-type change answers, by the scenario's name for it (its FAPI code, as text).
NOOP_ERRORS: Final[Mapping[str, Err]] = {
    str(FAMILY_ERRORS["fapi"][err].code): err for err in (Err.MARGIN_TYPE_SAME, Err.POSITION_SIDE_OPEN_ORDERS)
}
if set(get_args(NoopAnswer)) != {*NOOP_ERRORS, "success"}:  # the option names must be the spec's codes
    raise LookupError(
        f"NoopAnswer {get_args(NoopAnswer)} does not match the spec's codes {sorted(NOOP_ERRORS)}"
    )


class ScenarioError(ValueError):
    """The scenario file is malformed."""


@dataclasses.dataclass(frozen=True)
class ApiKey:
    api_key: str
    kind: KeyKind
    secret: str | None = None  # HMAC
    public_key_pem: bytes | None = None  # RSA, ED25519
    private_key_file: Path | None = None  # shown in the banner only; the mock never signs


@dataclasses.dataclass(frozen=True)
class Liability:
    """One coin's liability. `principal` and `interest` keep the scenario's text (answered as JSON
    strings); `usdt_value` is exact (answered as the JSON number `liabilityQty`, with its digits)."""

    asset: str
    principal: str
    interest: str
    usdt_value: Decimal


@dataclasses.dataclass(frozen=True)
class FuturesSymbol:
    symbol: str
    margin_type: str = "CROSSED"
    open_orders: int = 0
    position: str = "0"


@dataclasses.dataclass(frozen=True)
class AccountSpec:
    account_id: int
    keys: tuple[ApiKey, ...]
    cross: tuple[Liability, ...] = ()
    isolated: Mapping[str, tuple[Liability, ...]] = dataclasses.field(default_factory=dict)
    futures: tuple[FuturesSymbol, ...] = ()
    margin_account: bool = True


@dataclasses.dataclass(frozen=True)
class Scenario:
    accounts: tuple[AccountSpec, ...]
    symbols: frozenset[str] = frozenset()
    any_symbol: bool = False
    multi_assets_mode: bool = False
    default_liability: Liability | None = None  # unknown assets / isolated symbols owe this (fuzzing)
    window_seconds: float | None = None  # overrides every rate-limit interval
    ban_after_violations: int = 0  # 429s in a row before a 418 ban; 0: never ban
    ban_seconds: float = 120.0
    strict_percent_encoding: bool = True
    margin_type_noop: NoopAnswer = "-4046"
    manual_liquidation: Literal["auto", "array"] = "auto"
    small_liability_exchange_body: str = ""
    own_codes: Mapping[Err, int] = dataclasses.field(default_factory=lambda: dict(OWN_CODES))


def load_scenario(source: str | Path | Mapping[str, Any] | None = None) -> Scenario:
    """A scenario from a .toml/.json file, a mapping of the same shape, or the packaged default."""
    if source is None:
        source = DEFAULT_SCENARIO
    if isinstance(source, Mapping):
        return _checked(source, Path.cwd())
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
        # parse_float: amounts become Decimal straight from the file's text, with no float in between.
        data: Mapping[str, Any] = (
            json.loads(text, parse_float=Decimal)
            if path.suffix == ".json"
            else tomllib.loads(text, parse_float=Decimal)
        )
    # Unreadable, not UTF-8, not JSON or TOML, or JSON nested past the parser's depth. (Not `_json.loads`:
    # it needs the `mock` extra, which loading a scenario does not.)
    except (OSError, ValueError, RecursionError) as error:
        raise ScenarioError(f"scenario {str(path)!r}: {type(error).__name__}: {error}") from None
    if not isinstance(data, Mapping):
        raise ScenarioError(f"scenario {str(path)!r}: the top level must be a table (an object)")
    return _checked(data, path.parent)


def _checked(data: Mapping[str, Any], base: Path) -> Scenario:
    """`_build`, with every malformed part (a missing field, a wrong type) a ScenarioError."""
    try:
        scenario = _build(data, base)
    except ScenarioError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
        raise ScenarioError(f"malformed scenario: {type(error).__name__}: {error}") from None
    if scenario.window_seconds is not None:
        check_window_seconds("server.window_seconds", scenario.window_seconds)
    return scenario


def _finite_number(value: object) -> TypeGuard[int | float | Decimal]:
    number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    return number and math.isfinite(value)  # type: ignore[arg-type]


def check_window_seconds(where: str, window: object) -> None:
    """ScenarioError unless `window` (a rate-limit window, in seconds) is a finite number above 0."""
    if not (_finite_number(window) and window > 0):
        raise ScenarioError(f"{where} must be a finite number above 0, not {window!r}")


def _build(data: Mapping[str, Any], base: Path) -> Scenario:
    _known(data, "the scenario", "server", "exchange", "answers", "own_codes", "defaults", "accounts")
    server = _known(_table(data, "server"), "[server]", *_SERVER)
    exchange = _known(_table(data, "exchange"), "[exchange]", "symbols", "any_symbol", "multi_assets_mode")
    answers = _known(_table(data, "answers"), "[answers]", *_ANSWERS)
    own = _table(data, "own_codes")
    unknown_own = set(own) - {err.value for err in OWN_CODES}
    if unknown_own:
        raise ScenarioError(f"unknown [own_codes] entries: {sorted(unknown_own)}")
    own_codes = {**OWN_CODES, **{Err(name): _whole(own, "[own_codes]", name, 0, low=None) for name in own}}
    try:
        check_own_codes(own_codes)
    except ValueError as error:
        raise ScenarioError(f"[own_codes]: {error}") from None
    default = _known(_table(data, "defaults"), "[defaults]", "liability").get("liability")
    noop = _text(answers, "[answers]", "margin_type_noop", "-4046")
    if noop not in get_args(NoopAnswer):
        raise ScenarioError(f"answers.margin_type_noop must be one of {get_args(NoopAnswer)}, not {noop!r}")
    body = _text(answers, "[answers]", "small_liability_exchange_body", "")
    if body not in _EXCHANGE_BODIES:
        raise ScenarioError(
            f"answers.small_liability_exchange_body must be a documented body, one of {_EXCHANGE_BODIES},"
            f" not {body!r}"
        )
    shape = answers.get("manual_liquidation", "auto")
    if shape not in ("auto", "array"):
        raise ScenarioError(f"answers.manual_liquidation must be auto or array, not {shape!r}")
    return Scenario(
        accounts=tuple(_account(raw, base) for raw in _tables(data, "the scenario", "accounts")),
        symbols=frozenset(_texts(exchange, "[exchange]", "symbols")),
        any_symbol=_flag(exchange, "[exchange]", "any_symbol", False),
        multi_assets_mode=_flag(exchange, "[exchange]", "multi_assets_mode", False),
        default_liability=None
        if default is None
        else _liability({"asset": "", **_mapping(default, "[defaults].liability")}),
        window_seconds=server.get("window_seconds"),
        ban_after_violations=_whole(server, "[server]", "ban_after_violations", 0),
        ban_seconds=_seconds(server, "[server]", "ban_seconds", 120.0),
        strict_percent_encoding=_flag(server, "[server]", "strict_percent_encoding", True),
        margin_type_noop=noop,  # type: ignore[arg-type]  # checked above
        manual_liquidation=shape,
        small_liability_exchange_body=body,
        own_codes=own_codes,
    )


_SERVER: Final = ("window_seconds", "ban_after_violations", "ban_seconds", "strict_percent_encoding")
_ANSWERS: Final = ("margin_type_noop", "manual_liquidation", "small_liability_exchange_body")
_LIABILITY: Final = ("asset", "principal", "interest", "usdt_value")
_MARGIN_TYPE = OPERATIONS["changeMarginType"].parameter("marginType")
assert _MARGIN_TYPE is not None and _MARGIN_TYPE.enum is not None, "changeMarginType.marginType has no enum"
_MARGIN_TYPES: Final = tuple(_MARGIN_TYPE.enum)
# The bodies Binance answers a successful exchange with (the spec's x-binance-empty-body).
_EMPTY_BODY = OPERATIONS["smallLiabilityExchange"].empty_body
assert _EMPTY_BODY is not None, "smallLiabilityExchange has no x-binance-empty-body"
_EXCHANGE_BODIES: Final = tuple(_EMPTY_BODY)


# Each value is read by its type: a scenario that says `any_symbol = "false"` or `symbols = "BTCUSDT"`
# is refused, not read as true or as a set of letters, and a misspelt key is refused, not ignored.
def _known(table: Mapping[str, Any], where: str, *names: str) -> Mapping[str, Any]:
    unknown = sorted(str(name) for name in set(table) - set(names))
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(unknown)}; it takes {', '.join(names)}")
    return table


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScenarioError(f"{where} must be a table (an object), not {value!r}")
    return value


def _flag(table: Mapping[str, Any], where: str, name: str, default: bool) -> bool:
    value = table.get(name, default)
    if type(value) is not bool:
        raise ScenarioError(f"{where} {name} must be true or false, not {value!r}")
    return value


def _whole(
    table: Mapping[str, Any], where: str, name: str, default: int | None, *, low: int | None = 0
) -> int:
    value = table.get(name, default)
    if type(value) is not int or (low is not None and value < low):
        at_least = f" of at least {low}" if low is not None else ""
        raise ScenarioError(f"{where} {name} must be an integer{at_least}, not {value!r}")
    return value


def _seconds(table: Mapping[str, Any], where: str, name: str, default: float) -> float:
    value = table.get(name, default)
    if not (_finite_number(value) and value >= 0):
        raise ScenarioError(f"{where} {name} must be a finite number of at least 0, not {value!r}")
    return float(value)


def _text(table: Mapping[str, Any], where: str, name: str, default: str | None = None) -> str:
    value = table.get(name, default)
    if not isinstance(value, str):
        raise ScenarioError(f"{where} {name} must be a string, not {value!r}")
    return value


def _texts(table: Mapping[str, Any], where: str, name: str) -> tuple[str, ...]:
    values = table.get(name, ())
    if not isinstance(values, list | tuple) or not all(isinstance(value, str) for value in values):
        raise ScenarioError(f"{where} {name} must be a list of strings, not {values!r}")
    return tuple(values)


def _tables(table: Mapping[str, Any], where: str, name: str) -> tuple[Mapping[str, Any], ...]:
    values = table.get(name, ())
    if not isinstance(values, list | tuple):
        raise ScenarioError(f"{where} {name} must be a list of tables, not {values!r}")
    return tuple(_mapping(value, f"{where} {name}: an entry") for value in values)


def _table(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, Mapping):
        raise ScenarioError(f"[{name}] must be a table")
    return value


def _account(raw: Mapping[str, Any], base: Path) -> AccountSpec:
    where = f"account {raw.get('id')!r}"
    _known(raw, where, "id", "keys", "cross", "isolated", "futures", "margin_account")
    isolated: dict[str, list[Liability]] = {}
    for entry in _tables(raw, where, "isolated"):
        symbol = _text(entry, f"{where} isolated", "symbol")
        isolated.setdefault(symbol, []).append(_liability(entry, "symbol"))
    return AccountSpec(
        account_id=_whole(raw, where, "id", None),  # required
        keys=tuple(_key(key, base) for key in _tables(raw, where, "keys")),
        cross=tuple(_liability(entry) for entry in _tables(raw, where, "cross")),
        isolated={symbol: tuple(items) for symbol, items in isolated.items()},
        futures=tuple(_futures(entry, f"{where} futures") for entry in _tables(raw, where, "futures")),
        margin_account=_flag(raw, where, "margin_account", True),
    )


def _futures(entry: Mapping[str, Any], where: str) -> FuturesSymbol:
    _known(entry, where, "symbol", "margin_type", "open_orders", "position")
    margin_type = _text(entry, where, "margin_type", "CROSSED")
    if margin_type not in _MARGIN_TYPES:
        raise ScenarioError(
            f"{where} margin_type must be one of {', '.join(_MARGIN_TYPES)}, not {margin_type!r}"
        )
    return FuturesSymbol(
        symbol=_text(entry, where, "symbol"),
        margin_type=margin_type,
        open_orders=_whole(entry, where, "open_orders", 0),
        position=_position(entry, where),
    )


def _position(entry: Mapping[str, Any], where: str) -> str:
    value = _text(entry, where, "position", "0")
    if not _POSITION_TEXT.fullmatch(value):
        raise ScenarioError(f'{where} position must be a decimal string like "-1.5", not {value!r}')
    return value


# A plain decimal literal, as Binance writes amounts: no sign, exponent, spaces, underscores or NaN.
_DECIMAL_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?")
# A position is signed (a short one is negative); otherwise written as an amount is.
_POSITION_TEXT = re.compile("-?" + _DECIMAL_TEXT.pattern)


def _amount_text(raw: Mapping[str, Any], name: str, default: str | None = None) -> str:
    value = raw.get(name, default)
    if not isinstance(value, str) or not _DECIMAL_TEXT.fullmatch(value):
        raise ScenarioError(
            f'{name} of {raw.get("asset")!r} must be a decimal string like "0.001", not {value!r}'
        )
    return value


def _amount(raw: Mapping[str, Any], name: str) -> Decimal:
    value = raw.get(name)
    # A float comes from a mapping built in Python: its shortest repr is the number that was written.
    if isinstance(value, float):
        value = Decimal(repr(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise ScenarioError(f"{name} of {raw.get('asset')!r} must be a non-negative number, not {value!r}")
    return value


def _liability(raw: Mapping[str, Any], *also: str) -> Liability:
    where = f"liability {raw.get('asset')!r}"
    _known(raw, where, *_LIABILITY, *also)
    return Liability(
        asset=_text(raw, where, "asset"),
        principal=_amount_text(raw, "principal"),
        interest=_amount_text(raw, "interest", "0"),
        usdt_value=_amount(raw, "usdt_value"),
    )


def _key(raw: Mapping[str, Any], base: Path) -> ApiKey:
    where = f"key {raw.get('api_key')!r}"
    _known(raw, where, "api_key", "type", "secret", "public_key", "public_key_file", "private_key_file")
    api_key = _text(raw, where, "api_key")
    kind = _text(raw, where, "type", "HMAC").upper()
    if kind == "HMAC":
        if "secret" not in raw:
            raise ScenarioError(f"HMAC {where} needs a secret")
        return ApiKey(api_key=api_key, kind="HMAC", secret=_text(raw, where, "secret"))
    if kind not in ("RSA", "ED25519"):
        raise ScenarioError(f"key type must be HMAC, RSA or ED25519, not {kind!r}")
    if "public_key" in raw:
        pem = _text(raw, where, "public_key").encode()
    elif "public_key_file" in raw:
        try:
            pem = (base / _text(raw, where, "public_key_file")).read_bytes()
        except OSError as error:
            raise ScenarioError(f"{kind} {where}: public_key_file: {error}") from None
    else:
        raise ScenarioError(f"{kind} {where} needs public_key or public_key_file")
    private = None if raw.get("private_key_file") is None else _text(raw, where, "private_key_file")
    return ApiKey(
        api_key=api_key,
        kind=kind,  # type: ignore[arg-type]  # checked above
        public_key_pem=pem,
        private_key_file=None if private is None else (base / private).resolve(),
    )
