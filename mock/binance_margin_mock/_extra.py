"""The `mock` extra: the third-party modules the server needs, and the hint to give when one is missing.

This module imports nothing from them, so `binance_margin_mock` itself (its version, the pytest entry
point, `--help`) works in an install without the extra.
"""

from __future__ import annotations

from typing import Final, NoReturn

# The import names of the `mock` extra's distributions in pyproject.toml (a test keeps the two equal).
EXTRA_MODULES: Final = ("simplejson", "starlette", "uvicorn")
INSTALL_HINT: Final = "pip install 'binance-margin[mock]'"


def missing_module(error: ModuleNotFoundError) -> str | None:
    """Which of the extra's modules `error` says is missing (a submodule counts), or None."""
    top = (error.name or "").split(".")[0]
    return top if top in EXTRA_MODULES else None


def extra_message(module: str) -> str:
    return f"binance-margin-mock needs the 'mock' extra ({module} is not installed): {INSTALL_HINT}"


def raise_for_extra(error: ModuleNotFoundError) -> NoReturn:
    """Raise `error` again; when the missing module is one of the extra's, as one that says which extra
    to install (`error` kept as its cause)."""
    missing = missing_module(error)
    if missing is None:
        raise error
    raise ModuleNotFoundError(extra_message(missing), name=missing) from error
