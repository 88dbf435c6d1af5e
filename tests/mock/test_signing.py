"""API key first, then the signature over the raw bytes received, percent-encoded before signing."""

from __future__ import annotations

import httpx
import pytest
from binance_margin_mock import MockClock, create_app, load_scenario
from binance_margin_mock._scenario import DEFAULT_SCENARIO

from ._signer import encode
from .conftest import CREDENTIALS, HMAC, Signed

COINS = "/sapi/v1/margin/exchange-small-liability"
LIQUIDATION = "/sapi/v1/margin/manual-liquidation"
MARGIN_TYPE = "/fapi/v1/marginType"


def code(response: httpx.Response) -> int:
    return int(response.json()["code"])


async def test_missing_api_key_is_401_minus_2014(signed: Signed) -> None:
    response = await signed.raw("GET", COINS, "timestamp=1&signature=00", api_key=None)
    assert (response.status_code, code(response)) == (401, -2014)


async def test_unknown_api_key_is_checked_before_the_signature(signed: Signed) -> None:
    response = await signed.send("GET", COINS, api_key="NotAKeyOfThisMock", signature="bad")
    assert (response.status_code, code(response)) == (401, -2015)


@pytest.mark.parametrize("kind", ["HMAC", "RSA", "ED25519"])
async def test_each_signature_kind_is_accepted(signed: Signed, kind: str) -> None:
    response = await signed.send(
        "POST",
        MARGIN_TYPE,
        [("symbol", "BTCUSDT"), ("marginType", "ISOLATED")],
        credentials=CREDENTIALS[kind],
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"code": 200, "msg": "success"}


@pytest.mark.parametrize("kind", ["HMAC", "RSA", "ED25519"])
async def test_each_signature_kind_rejects_a_signature_by_another_key(signed: Signed, kind: str) -> None:
    other = CREDENTIALS["HMAC2"] if kind == "HMAC" else CREDENTIALS["RSA" if kind == "ED25519" else "ED25519"]
    payload = "timestamp=" + str(signed.clock.now_ms())
    query = f"{payload}&signature={other.sign(payload.encode())}"
    response = await signed.raw("GET", COINS, query, api_key=CREDENTIALS[kind].api_key)
    assert (response.status_code, code(response)) == (400, -1022)


@pytest.mark.parametrize("kind", ["HMAC", "RSA", "ED25519"])
@pytest.mark.parametrize("signature", ["%C3%A9", "%E2%82%AC" * 22])
async def test_a_signature_that_is_not_ascii_is_minus_1022(signed: Signed, kind: str, signature: str) -> None:
    # Not a 500: a client takes a 500 to a POST for an outcome it cannot know.
    payload = "timestamp=" + str(signed.clock.now_ms())
    response = await signed.raw(
        "GET", COINS, f"{payload}&signature={signature}", api_key=CREDENTIALS[kind].api_key
    )
    assert (response.status_code, code(response)) == (400, -1022)


@pytest.mark.parametrize(
    ("payload", "signature"),
    [
        (
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
            "&timestamp=1499827319559",
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
        ),
        (
            "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC"
            "&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
            "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3",
        ),
    ],
)
async def test_binance_published_hmac_vectors_verify(payload: str, signature: str) -> None:
    """Binance's own known-answer vectors, sent as is (unknown parameters are ignored)."""
    app = create_app(clock=MockClock(start_ms=1499827319559 + 10, frozen=True))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as http:
        url = httpx.URL(f"http://mock{COINS}").copy_with(query=f"{payload}&signature={signature}".encode())
        response = await http.get(url, headers={"X-MBX-APIKEY": HMAC.api_key})
    assert response.status_code == 200, response.text


async def test_tampered_signature_is_minus_1022(signed: Signed) -> None:
    payload = encode([("timestamp", str(signed.clock.now_ms()))])
    good = HMAC.sign(payload.encode())
    tampered = ("0" if good[0] != "0" else "1") + good[1:]
    response = await signed.raw("GET", COINS, f"{payload}&signature={tampered}")
    assert (response.status_code, code(response)) == (400, -1022)


@pytest.mark.parametrize(
    "shape",
    ["duplicated", "not-last", "in-query-with-a-body"],
)
async def test_a_duplicated_or_misplaced_signature_is_minus_1022(signed: Signed, shape: str) -> None:
    payload = encode([("type", "MARGIN"), ("timestamp", str(signed.clock.now_ms()))])
    signature = HMAC.sign(payload.encode())
    query, body = {
        "duplicated": (f"{payload}&signature={signature}&signature={signature}", ""),
        "not-last": (f"signature={signature}&{payload}", ""),
        "in-query-with-a-body": (f"signature={signature}", payload),
    }[shape]
    response = await signed.raw("POST", LIQUIDATION, query, body)
    assert (response.status_code, code(response)) == (400, -1022)


@pytest.mark.parametrize("shape", ["absent", "empty", "absent-from-the-body"])
async def test_a_missing_signature_is_minus_1102_naming_it(signed: Signed, shape: str) -> None:
    # Binance: {"code":-1102,"msg":"Mandatory parameter 'signature' was not sent, was empty/null, or
    # malformed."}
    payload = encode([("type", "MARGIN"), ("timestamp", str(signed.clock.now_ms()))])
    query, body = {
        "absent": (payload, ""),
        "empty": (f"{payload}&signature=", ""),
        "absent-from-the-body": ("", payload),
    }[shape]
    response = await signed.raw("POST", LIQUIDATION, query, body)
    assert (response.status_code, code(response)) == (400, -1102)
    assert "'signature'" in response.json()["msg"]


async def test_parameters_split_between_query_and_body_sign_as_one_payload(signed: Signed) -> None:
    query = encode([("type", "ISOLATED"), ("symbol", "BTCUSDT")])
    body = encode([("timestamp", str(signed.clock.now_ms()))])
    signature = HMAC.sign((query + body).encode())  # Binance concatenates with no separator
    response = await signed.raw("POST", LIQUIDATION, query, f"{body}&signature={signature}")
    assert response.status_code == 200, response.text
    assert response.json()["asset"] == "USDT"


async def test_params_in_the_form_body_like_ccxt(signed: Signed) -> None:
    response = await signed.send("POST", LIQUIDATION, [("type", "MARGIN")], in_body=True)
    assert response.status_code == 200, response.text


async def test_the_form_body_is_read_whatever_the_case_of_its_media_type(signed: Signed) -> None:
    payload = encode([("type", "MARGIN"), ("timestamp", str(signed.clock.now_ms()))])
    response = await signed.client.post(
        LIQUIDATION,
        content=f"{payload}&signature={HMAC.sign(payload.encode())}",
        headers={"X-MBX-APIKEY": HMAC.api_key, "Content-Type": "Application/X-WWW-Form-Urlencoded"},
    )
    assert response.status_code == 200, response.text


async def test_signing_the_unencoded_comma_list_is_minus_1022(signed: Signed) -> None:
    timestamp = str(signed.clock.now_ms())
    unencoded = f"assetNames=BTC,ETH&timestamp={timestamp}"
    sent = f"assetNames=BTC%2CETH&timestamp={timestamp}&signature={HMAC.sign(unencoded.encode())}"
    response = await signed.raw("POST", COINS, sent)
    assert (response.status_code, code(response)) == (400, -1022)
    # The same request signed after encoding goes through.
    ok = await signed.send("POST", COINS, [("assetNames", "BTC,ETH")])
    assert ok.status_code == 200, ok.text


async def test_signing_a_non_ascii_symbol_raw_is_minus_1022(signed: Signed) -> None:
    timestamp = str(signed.clock.now_ms())
    raw = f"symbol=币安人生USDT&marginType=ISOLATED&timestamp={timestamp}"
    sent = encode([("symbol", "币安人生USDT"), ("marginType", "ISOLATED"), ("timestamp", timestamp)])
    response = await signed.raw("POST", MARGIN_TYPE, f"{sent}&signature={HMAC.sign(raw.encode())}")
    assert (response.status_code, code(response)) == (400, -1022)
    ok = await signed.send("POST", MARGIN_TYPE, [("symbol", "币安人生USDT"), ("marginType", "ISOLATED")])
    assert ok.status_code == 200, ok.text


# Percent-encoding before signing would have escaped each of these: a "," a "=" or a "%" in a value.
@pytest.mark.parametrize("coins", ["BTC,ETH", "BTC=ETH", "BTC%ZZ", "BTC%"])
async def test_an_unencoded_payload_sent_as_signed_is_minus_1022_when_strict(coins: str) -> None:
    clock = MockClock(start_ms=1_767_225_600_000, frozen=True)
    payload = f"assetNames={coins}&timestamp={clock.now_ms()}"
    query = f"{payload}&signature={HMAC.sign(payload.encode())}".encode()
    statuses = []
    for strict in (True, False):
        scenario = load_scenario(DEFAULT_SCENARIO)
        app = create_app(
            scenario.__class__(**{**scenario.__dict__, "strict_percent_encoding": strict}), clock
        )
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as http:
            url = httpx.URL(f"http://mock{COINS}").copy_with(query=query)
            response = await http.post(url, headers={"X-MBX-APIKEY": HMAC.api_key})
        statuses.append((response.status_code, response.text))
    assert statuses[0] == (400, '{"code":-1022,"msg":"Signature for this request is not valid."}')
    assert "-1022" not in statuses[1][1]  # without strict, the same bytes pass the signature check


async def test_a_repeated_parameter_is_minus_1101(signed: Signed) -> None:
    response = await signed.send("POST", LIQUIDATION, [("type", "MARGIN"), ("type", "MARGIN")])
    assert (response.status_code, code(response)) == (400, -1101)


@pytest.mark.parametrize(
    ("in_query", "in_body", "answered"),
    [("MARGIN", "ISOLATED", 200), ("ISOLATED", "MARGIN", -1102)],
    ids=["query-margin", "query-isolated"],
)
async def test_a_parameter_in_both_query_and_body_takes_the_querys_value(
    signed: Signed, in_query: str, in_body: str, answered: int
) -> None:
    # Binance's general info: "If a parameter sent in both the query string and request body, the query
    # string parameter will be used." ISOLATED without a symbol is -1102; MARGIN is a liquidation.
    query = encode([("type", in_query)])
    body = encode([("type", in_body), ("timestamp", str(signed.clock.now_ms()))])
    signature = HMAC.sign((query + body).encode())  # the signature still covers both
    response = await signed.raw("POST", LIQUIDATION, query, f"{body}&signature={signature}")
    assert (response.status_code if answered == 200 else code(response)) == answered, response.text
