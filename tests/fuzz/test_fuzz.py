"""All of the spec's operations, fuzzed against the mock: no server errors, conforming answers,
invalid data rejected, valid data accepted, and a tampered signature always answers -1022."""

from __future__ import annotations

import schemathesis
from binance_margin_api.spec_metadata import RequiredIf, find_operation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .conftest import APP, SIGNER, load_schema

schema = load_schema()


@schemathesis.check
def tampered_signature_is_rejected(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """Replay every accepted case with one signature character changed: Binance answers -1022."""
    if response.status_code != 200:
        return None
    SIGNER.tamper_next = True
    replay = case.call()
    if replay.status_code != 400 or replay.json().get("code") != -1022:
        raise AssertionError(f"tampered signature answered {replay.status_code} {replay.text}")
    return True


def breaks_a_required_if_rule(case: schemathesis.Case) -> bool:
    """OpenAPI 3.0 cannot say "symbol is required when type=ISOLATED": such a case is schema-valid, yet
    Binance rejects it (-1102). The spec's x-binance-rules say so; the test follows them, not the schema."""
    operation = find_operation(case.method, case.path)
    if operation is None:  # the coverage phase also tries methods the spec does not declare
        return False
    query = case.query or {}
    return any(
        isinstance(rule, RequiredIf)
        and query.get(rule.when_parameter) == rule.when_value
        and not query.get(rule.parameter)
        for rule in operation.rules
    )


def only_known_parameters(case: schemathesis.Case) -> bool:
    """No parameter the operation does not have, each given once (a negative case may add junk ones)."""
    operation = find_operation(case.method, case.path)
    known = {parameter.name for parameter in operation.parameters} if operation else set()
    query = case.query or {}
    return set(query) <= known and all(isinstance(value, str) for value in query.values())


@schema.parametrize()
def test_operations(case: schemathesis.Case) -> None:
    # Each case starts from the scenario: the 6-hour rule and liquidations must not leak between cases.
    APP.reset()
    if breaks_a_required_if_rule(case):
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        code = response.json()["code"]
        assert response.status_code == 400 and isinstance(code, int), response.text
        if only_known_parameters(case):
            # The rule is the request's only fault: Binance's "mandatory parameter" answer.
            assert code == -1102, response.text
    else:
        case.call_and_validate()
