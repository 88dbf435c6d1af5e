"""Control endpoints under /_mock/, so a test in another process can drive a running mock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ._faults import FaultRule
from ._json import dumps, loads
from ._scenario import ScenarioError, load_scenario

if TYPE_CHECKING:
    from ._app import MockApp

PREFIX = "/_mock"


def control_routes() -> list[BaseRoute]:
    return [
        Route(f"{PREFIX}/state", _state, methods=["GET"]),
        Route(f"{PREFIX}/clock", _clock, methods=["GET", "POST"]),
        Route(f"{PREFIX}/faults", _faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{PREFIX}/reset", _reset, methods=["POST"]),
    ]


def _app(request: Request) -> MockApp:
    return cast("MockApp", request.app)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    data = loads(raw)  # amounts in a scenario stay Decimal
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


class JSONResponse(Response):
    """Starlette's JSONResponse, written by the mock's encoder (exact amounts in the accounts' state)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")


def _bad(error: Exception) -> JSONResponse:
    return JSONResponse({"error": str(error)}, status_code=400)


async def _state(request: Request) -> JSONResponse:
    app = _app(request)
    return JSONResponse(
        {
            "serverTime": app.clock.now_ms(),
            "accounts": app.exchange.snapshot(),
            "faults": [rule.to_json() for rule in app.faults.rules()],
            "requests": app.requests(),
        }
    )


async def _clock(request: Request) -> JSONResponse:
    """POST {"advance_seconds": s} | {"set_ms": t} | {"freeze": true/false}."""
    clock = _app(request).clock
    if request.method == "POST":
        try:
            body = await _body(request)
            if "set_ms" in body:
                clock.set_ms(int(body["set_ms"]))
            if "advance_seconds" in body:
                clock.advance(float(body["advance_seconds"]))
            if "freeze" in body:
                clock.freeze() if body["freeze"] else clock.unfreeze()
        except (ValueError, TypeError) as error:
            return _bad(error)
    return JSONResponse({"serverTime": clock.now_ms(), "frozen": clock.frozen})


async def _faults(request: Request) -> JSONResponse:
    """POST a rule or {"rules": [...]} to add; DELETE clears; GET lists."""
    faults = _app(request).faults
    if request.method == "DELETE":
        faults.clear()
    elif request.method == "POST":
        try:
            body = await _body(request)
            raw_rules = body.get("rules", [body])
            faults.add(*(FaultRule.from_json(raw) for raw in raw_rules))
        except (ValueError, TypeError, KeyError) as error:
            return _bad(error)
    return JSONResponse({"rules": [rule.to_json() for rule in faults.rules()]})


async def _reset(request: Request) -> JSONResponse:
    """POST {} | {"scenario": {...same shape as a scenario file...}, "clock": true}."""
    app = _app(request)
    try:
        body = await _body(request)
        scenario = load_scenario(body["scenario"]) if "scenario" in body else None
        app.reset(scenario, clock=bool(body.get("clock", False)))  # a key that does not load: unchanged
    except (ValueError, TypeError, KeyError, ScenarioError) as error:
        return _bad(error)
    return JSONResponse({"serverTime": app.clock.now_ms()})
