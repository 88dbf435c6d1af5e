"""The local Binance: a faithful mock of the endpoints binance-margin covers.

`create_app(scenario=..., clock=..., faults=...)` gives the ASGI app; `MockServer` runs it under uvicorn
in a thread; `binance-margin-mock` runs it from the command line; `binance_margin_mock.testing` is the
test kit (control client, clock links, pytest fixtures). See docs/mock.md.

Names are imported on first use, so that `import binance_margin_mock` (its `__version__`, the pytest entry
point, the CLI's `--help`) works without the `mock` extra; a name that needs the extra raises
ModuleNotFoundError saying which extra to install.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._extra import raise_for_extra

if TYPE_CHECKING:
    from ._app import ConnectionDropped, MockApp, create_app
    from ._clock import MockClock
    from ._errors import FAMILY_ERRORS, FAPI_503, OWN_CODES, Err, ErrorSpec
    from ._faults import FaultRule, Faults
    from ._scenario import (
        DEFAULT_SCENARIO,
        DEMO_KEYS_DIR,
        EXAMPLE_SCENARIO,
        FUZZ_SCENARIO,
        AccountSpec,
        ApiKey,
        FuturesSymbol,
        Liability,
        Scenario,
        ScenarioError,
        load_scenario,
    )
    from ._server import MockServer

    __version__: str

# name -> the private module that defines it
_EXPORTS = {
    "ConnectionDropped": "_app",
    "MockApp": "_app",
    "create_app": "_app",
    "MockClock": "_clock",
    "FAMILY_ERRORS": "_errors",
    "FAPI_503": "_errors",
    "OWN_CODES": "_errors",
    "Err": "_errors",
    "ErrorSpec": "_errors",
    "FaultRule": "_faults",
    "Faults": "_faults",
    "DEFAULT_SCENARIO": "_scenario",
    "DEMO_KEYS_DIR": "_scenario",
    "EXAMPLE_SCENARIO": "_scenario",
    "FUZZ_SCENARIO": "_scenario",
    "AccountSpec": "_scenario",
    "ApiKey": "_scenario",
    "FuturesSymbol": "_scenario",
    "Liability": "_scenario",
    "Scenario": "_scenario",
    "ScenarioError": "_scenario",
    "load_scenario": "_scenario",
    "MockServer": "_server",
}

__all__ = [
    "DEFAULT_SCENARIO",
    "DEMO_KEYS_DIR",
    "EXAMPLE_SCENARIO",
    "FAMILY_ERRORS",
    "FAPI_503",
    "FUZZ_SCENARIO",
    "OWN_CODES",
    "AccountSpec",
    "ApiKey",
    "ConnectionDropped",
    "Err",
    "ErrorSpec",
    "FaultRule",
    "Faults",
    "FuturesSymbol",
    "Liability",
    "MockApp",
    "MockClock",
    "MockServer",
    "Scenario",
    "ScenarioError",
    "__version__",
    "create_app",
    "load_scenario",
]


def _load(name: str) -> Any:
    if name == "__version__":
        from ._version import distribution_version

        value: Any = distribution_version()
    elif name in _EXPORTS:
        try:
            module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        except ModuleNotFoundError as error:
            raise_for_extra(error)
        value = getattr(module, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return __all__


if not TYPE_CHECKING:  # hidden from type checkers: a misspelled name stays an error for them
    __getattr__ = _load
