"""Any answer the client may get: bodies drawn from the spec's response schemas parse; malformed bodies,
undocumented statuses and huge bodies raise our typed errors. Nothing else escapes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import httpx
import jsonschema
import pytest
from binance_margin import (
    DEFAULT_MAX_RESPONSE_BYTES,
    BinanceClient,
    BinanceMarginError,
    BinanceResponseError,
    HmacCredentials,
)
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tests.client_fuzz._spec_schemas import success_schema

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
# Reproducible by default (the same seed as tests/fuzz); set FUZZ_SEED to explore.
SEED = int(os.environ.get("FUZZ_SEED", "20260115"))

Call = Callable[[BinanceClient], object]
CALLS: dict[str, tuple[str, str, Call]] = {
    "coin-list": ("/sapi/v1/margin/exchange-small-liability", "GET", lambda c: c.coin_list()),
    "exchange": (
        "/sapi/v1/margin/exchange-small-liability",
        "POST",
        lambda c: c.exchange_small_liability(["BTC"]),
    ),
    "liquidation": ("/sapi/v1/margin/manual-liquidation", "POST", lambda c: c.manual_liquidation("MARGIN")),
    "margin-type": ("/fapi/v1/marginType", "POST", lambda c: c.change_margin_type("BTCUSDT", "CROSSED")),
}


def _client(status: int, body: bytes, headers: dict[str, str] | None = None, **options: Any) -> BinanceClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers=headers)

    return BinanceClient(HmacCredentials("k", "s"), transport=httpx.MockTransport(answer), **options)


def _documented_statuses(name: str) -> set[int]:
    from tests.client_fuzz._spec_schemas import operation

    path, method, _ = CALLS[name]
    return {int(status) for status in operation(path, method)["responses"]}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_bodies_drawn_from_the_success_schema_parse(name: str) -> None:
    path, method, call = CALLS[name]
    schema = success_schema(path, method)
    bodies = (
        st.sampled_from([b"", b"{}", b"null"])
        if schema is None
        else from_schema(schema).map(lambda value: json.dumps(value).encode())
    )

    @seed(SEED)
    @given(body=bodies)
    @settings(max_examples=EXAMPLES, database=None, deadline=None)
    def check(body: bytes) -> None:
        with _client(200, body) as client:
            result = call(client)
        if schema is not None:
            assert result is not None

    check()


def _wrong_types(value: Any) -> st.SearchStrategy[Any]:
    """`value` with one field or item replaced by a JSON value of another type."""
    anything = st.one_of(
        st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.lists(st.none(), max_size=2)
    )
    if isinstance(value, dict) and value:
        return st.sampled_from(sorted(value)).flatmap(
            lambda key: anything.filter(lambda new: type(new) is not type(value[key])).map(
                lambda new: {**value, key: new}
            )
        )
    if isinstance(value, list) and value:
        return _wrong_types(value[0]).map(lambda first: [first, *value[1:]])
    return anything


MALFORMED = st.one_of(
    st.just(b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    st.just(b""),
    st.binary(max_size=64),
    st.text(max_size=64).map(str.encode),
    st.just(b'[{"asset": "ETH", "interest": "0.1"'),
    st.just(b'{"code": -1000, "msg": "An unknown error occurred while processing the request."}'),
)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_malformed_bodies_and_any_status_raise_typed_errors_only(name: str) -> None:
    path, method, call = CALLS[name]
    schema = success_schema(path, method)
    shaped = (
        from_schema(schema).flatmap(
            lambda valid: st.one_of(
                _wrong_types(valid),
                st.just(valid).map(lambda v: json.dumps(v)[: max(1, len(json.dumps(v)) // 2)]),  # truncated
            )
        )
        if schema is not None
        else st.none()
    )
    bodies = st.one_of(
        MALFORMED, shaped.map(lambda v: v.encode() if isinstance(v, str) else json.dumps(v).encode())
    )

    @seed(SEED)
    @given(status=st.one_of(st.just(200), st.integers(200, 599)), body=bodies)
    @settings(max_examples=EXAMPLES, database=None, deadline=None)
    def check(status: int, body: bytes) -> None:
        try:
            with _client(status, body) as client:
                result = call(client)
        except BinanceMarginError:
            return
        # Returning normally is allowed only for a success whose body the spec accepts, and what the
        # client returns must be what the schema promises (no wrong types smuggled into the models).
        assert 200 <= status < 300, f"HTTP {status} returned normally"
        if schema is not None:
            returned = [item.to_dict() for item in result] if isinstance(result, list) else result.to_dict()
            candidates = [returned, returned[0]] if isinstance(returned, list) and returned else [returned]
            assert any(jsonschema.Draft7Validator(schema).is_valid(c) for c in candidates), (body, returned)

    check()


@pytest.mark.parametrize("status", [302, 404, 409, 451, 520, 599])
def test_undocumented_statuses_raise(status: int) -> None:
    assert status not in _documented_statuses("coin-list")
    with pytest.raises(BinanceMarginError), _client(status, b"<html>nope</html>") as client:
        client.coin_list()


def test_unknown_fields_are_kept_not_fatal() -> None:
    body = (
        b'[{"asset":"ETH","interest":"0","principal":"1","liabilityAsset":"USDT",'
        b'"liabilityQty":1,"newField":[1]}]'
    )
    with _client(200, body) as client:
        (coin,) = client.coin_list()
    assert coin.additional_properties == {"newField": [1]}


def test_huge_bodies_parse_up_to_the_cap_and_raise_typed_beyond_it() -> None:
    coin = {"asset": "ETH", "interest": "0", "principal": "1", "liabilityAsset": "USDT", "liabilityQty": 1}
    huge = json.dumps([coin] * 50_000).encode()  # about 5 MB

    with _client(200, huge, max_response_bytes=len(huge)) as at_the_cap:
        assert len(at_the_cap.coin_list()) == 50_000
    with (
        pytest.raises(BinanceResponseError, match="larger than"),
        _client(200, huge, max_response_bytes=len(huge) - 1) as over,
    ):
        over.coin_list()
    with (
        pytest.raises(BinanceResponseError),
        _client(200, huge[:-1], max_response_bytes=len(huge)) as truncated,
    ):
        truncated.coin_list()
    assert len(huge) > DEFAULT_MAX_RESPONSE_BYTES  # so the default cap refuses this body too
    with pytest.raises(BinanceResponseError, match="larger than"), _client(200, huge) as default:
        default.coin_list()
