"""Our typed client driven with inputs drawn from the spec's schemas, through the mock on a real socket.

Every input the spec allows is accepted by the mock (never -1022); every input it forbids is refused by
the client before anything is sent. The verdict comes from jsonschema over the spec, not from the client.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jsonschema_rs
import pytest
import schemathesis
from binance_margin import BinanceClient, BinanceValidationError, HmacCredentials
from binance_margin_mock import FUZZ_SCENARIO, load_scenario
from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from generator._paths import SPEC_PATH
from tests._mock_server import RunningMock, running_mock
from tests.client_fuzz._spec_schemas import query_schema, rules_hold

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
# Reproducible by default (the same seed as tests/fuzz); set FUZZ_SEED to explore.
SEED = int(os.environ.get("FUZZ_SEED", "20260115"))
SCHEMA = schemathesis.openapi.from_path(str(SPEC_PATH))

Call = Callable[[BinanceClient, dict[str, Any]], object]
# Each operation with a typed argument: how the typed client is called with the decoded parameters.
OPERATIONS: dict[str, tuple[str, str, Call]] = {
    "smallLiabilityExchange": (
        "/sapi/v1/margin/exchange-small-liability",
        "POST",
        lambda client, values: client.exchange_small_liability(values["assetNames"]),
    ),
    "marginManualLiquidation": (
        "/sapi/v1/margin/manual-liquidation",
        "POST",
        lambda client, values: client.manual_liquidation(values["type"], values.get("symbol")),
    ),
    "changeMarginType": (
        "/fapi/v1/marginType",
        "POST",
        lambda client, values: client.change_margin_type(values["symbol"], values["marginType"]),
    ),
}
TYPED_REQUIRED = {"marginManualLiquidation": {"type"}, "changeMarginType": {"symbol", "marginType"}}


class CountingTransport(httpx.HTTPTransport):
    """A real transport that counts what went out."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return super().handle_request(request)


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running_mock(FUZZ_SCENARIO) as running:
        yield running


def _typed(operation_id: str, query: Any) -> dict[str, Any] | None:
    """The case's wire query decoded into typed arguments, or None when the typed API cannot express it."""
    if not isinstance(query, dict) or not all(isinstance(v, str) for v in query.values()):
        return None
    path, method, _ = OPERATIONS[operation_id]
    known = set(query_schema(path, method)["properties"])
    if not set(query) <= known or not TYPED_REQUIRED.get(operation_id, set()) <= set(query):
        return None
    values: dict[str, Any] = dict(query)
    if "assetNames" in values:
        values["assetNames"] = values["assetNames"].split(",") if values["assetNames"] else []
    elif operation_id == "smallLiabilityExchange":
        return None
    return values


def _cases(operation_id: str) -> st.SearchStrategy[Any]:
    path, method, _ = OPERATIONS[operation_id]
    operation = SCHEMA[path][method]
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_valid_inputs_are_accepted_and_invalid_ones_refused_before_sending(
    mock: RunningMock, operation_id: str
) -> None:
    path, method, call = OPERATIONS[operation_id]
    # jsonschema_rs: ECMA-262 regex semantics, as JSON Schema defines them (Python's re differs on `$`).
    validator = jsonschema_rs.validator_for(query_schema(path, method))
    seen = {"valid": 0, "invalid": 0}
    scenario = load_scenario(FUZZ_SCENARIO)
    key = scenario.accounts[0].keys[0]
    assert key.secret is not None

    @seed(SEED)
    @given(case=_cases(operation_id))
    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    def check(case: Any) -> None:
        values = _typed(operation_id, case.query)
        assume(values is not None)
        assert values is not None
        valid = validator.is_valid(values) and rules_hold(path, method, values)
        transport = CountingTransport()
        mock.control.reset()
        with BinanceClient(
            HmacCredentials(key.api_key, key.secret),
            base_url=mock.base_url,
            futures_base_url=mock.base_url,
            transport=transport,
        ) as client:
            if valid:
                seen["valid"] += 1
                call(client, values)  # any BinanceAPIError (e.g. -1022) fails the test
                assert transport.sent == 1
            else:
                seen["invalid"] += 1
                with pytest.raises(BinanceValidationError):
                    call(client, values)
                assert transport.sent == 0, f"an invalid call was sent: {values!r}"

    check()
    # The run must have exercised both sides, or it proves nothing.
    assert seen["valid"] > 0 and seen["invalid"] > 0, seen
