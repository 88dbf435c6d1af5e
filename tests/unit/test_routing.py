"""The fast URL rebuild gives exactly the URL httpx's public API gives."""

from __future__ import annotations

from binance_margin import encode_pairs
from binance_margin._routing import Routes
from hypothesis import given, settings
from hypothesis import strategies as st

ROUTES = Routes({"sapi": "http://127.0.0.1:8765/prefix/", "fapi": "https://fapi.example:8443"})
pairs = st.lists(st.tuples(st.text(min_size=1, max_size=8), st.text(max_size=12)), max_size=5)


@settings(max_examples=300, database=None)
@given(
    family=st.sampled_from(["sapi", "fapi"]), pairs=pairs, path=st.sampled_from(["/sapi/v1/x", "/fapi/v1/y"])
)
def test_fast_url_equals_public_api_url(family: str, pairs: list[tuple[str, str]], path: str) -> None:
    query = encode_pairs(pairs)
    fast, slow = ROUTES.url(family, path, query), ROUTES.slow_url(family, path, query)
    assert fast == slow
    assert fast.raw_path == slow.raw_path and fast.netloc == slow.netloc and fast.scheme == slow.scheme
    assert str(fast) == str(slow)


def test_unexpected_characters_take_the_public_path() -> None:
    url = ROUTES.url("sapi", "/sapi/v1/x", "a=b c")
    assert url == ROUTES.slow_url("sapi", "/sapi/v1/x", "a=b c")
