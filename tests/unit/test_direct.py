"""The direct clients: the same parameters, bytes and headers as httpx's own path, and a fallback to it."""

from __future__ import annotations

import enum
from urllib.parse import parse_qsl

import httpx
import pytest
from binance_margin import BinanceClient, BinanceValidationError, HmacCredentials, HttpClientTransport
from binance_margin._direct import AsyncDirectClient, DirectClient, call_pairs
from hypothesis import given
from hypothesis import strategies as st

from tests._secrets import WIRE_API_KEY, WIRE_SECRET

BASE = "http://binance.test"


class _Side(enum.StrEnum):
    BUY = "BUY"


class _FixedClock:
    """A clock that never moves, so two clients sign the same timestamp."""

    def wall_ms(self) -> float:
        return 1_767_225_600_000.0

    def sleep(self, seconds: float) -> None:
        raise AssertionError("no call here should wait")

    async def asleep(self, seconds: float) -> None:
        raise AssertionError("no call here should wait")


def _httpx_pairs(params: dict[str, object]) -> list[tuple[str, str]]:
    """What BinanceAuth reads back on httpx's path: httpx encodes the params, the auth parses them."""
    request = httpx.Request("GET", f"{BASE}/p", params=params)  # type: ignore[arg-type]
    return parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)


_value = st.one_of(
    st.text(), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False, allow_infinity=False)
)


@given(st.dictionaries(st.text(min_size=1), st.one_of(_value, st.lists(st.text(), max_size=4)), max_size=5))
def test_call_pairs_are_what_httpx_would_encode_and_the_auth_read_back(params: dict[str, object]) -> None:
    assert call_pairs("/p", params, {}) == _httpx_pairs(params)


def test_call_pairs_take_enums_by_value() -> None:
    assert call_pairs("/p", {"side": _Side.BUY}, {}) == [("side", "BUY")] == _httpx_pairs({"side": _Side.BUY})


@pytest.mark.parametrize(
    ("url", "params", "options"),
    [
        ("https://elsewhere.test/p", None, {}),
        ("/p?x=1", None, {}),
        ("/p#f", None, {}),
        (httpx.URL("/p"), None, {}),
        ("/p", [("a", "1")], {}),
        ("/p", {"a": object()}, {}),
        ("/p", {1: "a"}, {}),
        ("/p", None, {"content": b"a=1"}),
        ("/p", None, {"headers": {"X-Extra": "1"}}),
    ],
    ids=[
        "absolute",
        "query",
        "fragment",
        "url-object",
        "pair-list",
        "odd-value",
        "odd-name",
        "body",
        "headers",
    ],
)
def test_calls_the_generated_functions_never_make_take_httpx_own_path(
    url: object, params: object, options: dict[str, object]
) -> None:
    assert call_pairs(url, params, options) is None


class _Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/fapi/v1/marginType":
            return httpx.Response(200, json={"code": 200, "msg": "success"})
        if request.method == "POST" and request.url.path.endswith("exchange-small-liability"):
            return httpx.Response(200, json={})
        coin = {
            "asset": "ETH",
            "interest": "0",
            "principal": "1",
            "liabilityAsset": "USDT",
            "liabilityQty": 1,
        }
        return httpx.Response(200, json=[coin])


def _calls(client: BinanceClient) -> None:
    client.coin_list()
    client.exchange_small_liability(["BTC", "币安"])
    client.manual_liquidation("ISOLATED", "BTC+US/DT")
    client.change_margin_type("BTCUSDT", "CROSSED")


def test_the_direct_path_sends_exactly_what_httpx_own_path_sends() -> None:
    recorded: dict[str, _Recorder] = {}
    for path in ("direct", "httpx"):
        recorder = recorded[path] = _Recorder()
        transport = httpx.MockTransport(recorder)
        client = BinanceClient(
            HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
            base_url=BASE,
            futures_base_url="http://futures.test",
            transport=transport,
            clock=_FixedClock(),
        )
        if path == "httpx":
            client.api.set_httpx_client(httpx.Client(base_url=BASE, auth=client.auth, transport=transport))
        else:
            assert type(client.api.get_httpx_client()) is DirectClient
        with client:
            _calls(client)
    direct, plain = recorded["direct"].requests, recorded["httpx"].requests
    assert len(direct) == len(plain) == 4
    for ours, theirs in zip(direct, plain, strict=True):
        assert (ours.method, str(ours.url)) == (theirs.method, str(theirs.url))
        assert sorted(ours.headers.multi_items()) == sorted(theirs.headers.multi_items())
        assert ours.content == theirs.content == b""
    assert direct[1].url.params["assetNames"] == "BTC,币安"
    assert direct[3].url.host == "futures.test" and direct[3].headers["Host"] == "futures.test"


def test_other_calls_on_a_direct_client_still_go_through_the_auth() -> None:
    recorder = _Recorder()
    client = BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET), base_url=BASE, transport=httpx.MockTransport(recorder)
    )
    with client:
        # Extra headers are not a generated-function call: httpx builds it, BinanceAuth still signs it.
        client.api.get_httpx_client().get(
            "/sapi/v1/margin/exchange-small-liability", headers={"X-Trace": "7"}
        )
        with pytest.raises(BinanceValidationError, match="not an operation of the spec"):
            client.api.get_httpx_client().request("GET", "/sapi/v1/unknown")
    (sent,) = recorder.requests
    assert sent.headers["X-Trace"] == "7"
    assert sent.headers["X-MBX-APIKEY"] == WIRE_API_KEY
    assert "signature=" in sent.url.query.decode()


def test_default_clients_are_direct_on_the_lean_transports(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    client = BinanceClient(HmacCredentials(WIRE_API_KEY, WIRE_SECRET))
    sync_client = client.api.get_httpx_client()
    assert type(sync_client) is DirectClient
    assert type(sync_client._binance_transport) is HttpClientTransport
    assert type(client.api.get_async_httpx_client()) is AsyncDirectClient
    client.close()


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
def test_proxies_from_the_environment_keep_httpx_own_clients(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "http://proxy.test:3128")
    client = BinanceClient(HmacCredentials(WIRE_API_KEY, WIRE_SECRET))
    assert type(client.api.get_httpx_client()) is httpx.Client
    assert type(client.api.get_async_httpx_client()) is httpx.AsyncClient
    client.close()


def test_a_closed_direct_client_refuses_to_send() -> None:
    client = BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET), base_url=BASE, transport=httpx.MockTransport(_Recorder())
    )
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.api.get_httpx_client().request("GET", "/sapi/v1/margin/exchange-small-liability")


def test_a_server_time_call_on_a_direct_client_goes_out_unsigned_with_its_query() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"serverTime": 1_767_225_600_000})

    client = BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
        base_url=BASE,
        futures_base_url="http://futures.test",
        transport=httpx.MockTransport(answer),
    )
    with client:
        direct = client.api.get_httpx_client()
        assert direct.get("/api/v3/time").json() == {"serverTime": 1_767_225_600_000}
        direct.request("GET", "/fapi/v1/time", params={"probe": "a b"})
    assert [str(request.url) for request in seen] == [
        f"{BASE}/api/v3/time",
        "http://futures.test/fapi/v1/time?probe=a%20b",
    ]
    assert all("X-MBX-APIKEY" not in request.headers for request in seen)
