"""Checks of the client's options: a wrong type or value is a BinanceConfigError when the client is built,
never a raw exception (or a strange request) later. Every check says which option is wrong."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final, TypeVar

from ._errors import BinanceConfigError

T = TypeVar("T")
# The deadline for a whole answer (connect, send, headers and body), in seconds.
DEFAULT_TIMEOUT: Final = 10.0
# Binance refuses a request that arrives later than its recvWindow (at most a minute) after signing: an
# answer an hour late is not coming, and the socket layer cannot take every larger number.
MAX_TIMEOUT: Final = 3600.0
# A wait longer than this is refused at once (BinanceWaitRefused with retry_after): a rate-limit window is
# one minute, so a used-up bucket frees within it; a 429 or 418 asking for longer is not slept through.
DEFAULT_MAX_WAIT: Final = 60.0
# A longer wait for a budget is no wait a caller means (the guard's claim ticket lasts 2 x max_wait).
MAX_WAIT: Final = 86_400.0
# The largest answer body, before and after undoing its Content-Encoding. Binance's answers for these
# operations are a few kB; anything near this is not Binance.
DEFAULT_MAX_RESPONSE_BYTES: Final = 4 * 1024 * 1024


def number(name: str, value: object, *, above: bool = False, at_most: float = math.inf) -> float:
    """A finite real number (not a bool) at least 0 (or above it), and at most `at_most`."""
    try:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise BinanceConfigError(f"{name} must be a finite number, not {value!r}")
    except OverflowError:  # an int beyond any float (not quoted: it may have too many digits to print)
        raise BinanceConfigError(f"{name} must be a finite number, not an int that large") from None
    result = float(value)
    if result < 0 or (above and result == 0):
        raise BinanceConfigError(f"{name} is {value!r}; it must be {'above' if above else 'at least'} 0")
    if result > at_most:
        raise BinanceConfigError(f"{name} is {value!r}; it must be at most {at_most:g}")
    return result


def integer(name: str, value: object, *, low: int, high: int | None = None) -> int:
    """An int (not a bool) in [low, high]."""
    if type(value) is not int:
        raise BinanceConfigError(f"{name} must be an int, not {type(value).__name__} ({value!r})")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BinanceConfigError(f"{name} is {value}; it must be {bound}")
    return value


def flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise BinanceConfigError(f"{name} must be True or False, not {value!r}")
    return value


def text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise BinanceConfigError(f"{name} must be a non-empty str, not {value!r}")
    return value


def optional(check: Callable[..., T], name: str, value: object, **bounds: object) -> T | None:
    return None if value is None else check(name, value, **bounds)


def instance(name: str, value: object, kind: type[T], what: str) -> T:
    """`value`, an instance of `kind`; a new `kind()` (its default) for None."""
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise BinanceConfigError(f"{name} must be {what}, not {type(value).__name__}")
    return value


def has_methods(name: str, value: object, methods: tuple[str, ...], what: str) -> None:
    """Unless `value` is None (not given), it has `methods`."""
    missing = [method for method in methods if not callable(getattr(value, method, None))]
    if value is not None and missing:
        raise BinanceConfigError(f"{name} must be {what} (it has no {', '.join(missing)})")
