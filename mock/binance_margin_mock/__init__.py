"""The local Binance: a faithful mock of the endpoints binance-margin covers.

`create_app(scenario=..., clock=..., faults=...)` gives the ASGI app; `MockServer` runs it under uvicorn
in a thread; `binance-margin-mock` runs it from the command line. See docs/mock.md.
"""

from ._app import ConnectionDropped, MockApp, create_app
from ._clock import MockClock
from ._errors import FAMILY_ERRORS, FAPI_503, OWN_CODES, Err, ErrorSpec
from ._faults import FaultRule, Faults
from ._scenario import (
    DEFAULT_SCENARIO,
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

DEMO_KEYS_DIR = DEFAULT_SCENARIO.parent.parent / "demo_keys"

__all__ = [
    "DEFAULT_SCENARIO",
    "DEMO_KEYS_DIR",
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
    "create_app",
    "load_scenario",
]
