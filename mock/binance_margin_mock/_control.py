"""Control endpoints under /_mock/, so a test in another process can drive a running mock."""

from __future__ import annotations

import math
from decimal import Decimal
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


def _only(body: dict[str, Any], *names: str) -> dict[str, Any]:
    """The body, refused when it has a key the endpoint does not know (a typo would be a silent no-op)."""
    unknown = sorted(set(body) - set(names))
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; this endpoint takes {', '.join(names)}")
    return body


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body[name]
    if type(value) is not bool:
        raise ValueError(f"{name} must be true or false, not {value!r}")
    return value


def _number(body: dict[str, Any], name: str, *, integer: bool = False) -> Any:
    value = body[name]
    kinds = int if integer else (int, Decimal)
    if type(value) is bool or not isinstance(value, kinds) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite {'integer' if integer else 'number'}, not {value!r}")
    return value


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
            body = _only(await _body(request), "set_ms", "advance_seconds", "freeze")
            if "set_ms" in body:
                clock.set_ms(_number(body, "set_ms", integer=True))
            if "advance_seconds" in body:
                clock.advance(float(_number(body, "advance_seconds")))
            if "freeze" in body:
                clock.freeze() if _flag(body, "freeze") else clock.unfreeze()
        except (ValueError, TypeError, OverflowError) as error:
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
        body = _only(await _body(request), "scenario", "clock")
        if "scenario" in body and not isinstance(body["scenario"], dict):
            raise ValueError(
                f"scenario must be an object (a scenario file's shape), not {body['scenario']!r}"
            )
        scenario = load_scenario(body["scenario"]) if "scenario" in body else None
        app.reset(scenario, clock=_flag(body, "clock") if "clock" in body else False)
    except (ValueError, TypeError, KeyError, ScenarioError) as error:
        return _bad(error)
    return JSONResponse({"serverTime": app.clock.now_ms()})
