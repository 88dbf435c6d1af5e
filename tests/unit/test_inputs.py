"""Bad input gets a typed error and nothing is sent: every constructor option and every argument, through
BinanceClient (sync and async), the generated functions on `client.api`, and the CLI."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from binance_margin import (
    BinanceClient,
    BinanceConfigError,
    BinanceMarginError,
    BinanceValidationError,
    HmacCredentials,
    RetryPolicy,
    private_key_credentials,
)
from binance_margin._cli import main
from binance_margin_api.api.futures import change_margin_type
from binance_margin_api.api.margin import margin_manual_liquidation, small_liability_exchange
from binance_margin_api.spec_metadata import OPERATIONS, SIGNING

EXCHANGE = OPERATIONS["smallLiabilityExchange"]
URL = "https://mock.example"


class Counting:
    """An httpx transport that counts what was sent (nothing, for every case here)."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return httpx.Response(200, content=b"[]")


def _client(wire: Counting, **options: Any) -> BinanceClient:
    return BinanceClient(
        HmacCredentials("k", "s"),
        base_url=URL,
        futures_base_url=URL,
        transport=httpx.MockTransport(wire.handler),
        async_transport=httpx.MockTransport(wire.handler),
        **options,
    )


CONSTRUCTOR: dict[str, dict[str, Any]] = {
    "url-not-http": {"base_url": "ftp://h", "futures_base_url": URL},
    "url-no-host": {"base_url": "https://", "futures_base_url": URL},
    "url-bad-port": {"base_url": "https://h:99999", "futures_base_url": URL},
    "url-port-junk": {"base_url": "https://h:x", "futures_base_url": URL},
    "url-space": {"base_url": "https://h x", "futures_base_url": URL},
    "url-crlf": {"base_url": "https://h\r\nX: y", "futures_base_url": URL},
    "url-query": {"base_url": "https://h/?a=1", "futures_base_url": URL},
    "url-userinfo": {"base_url": "https://user:pw@h", "futures_base_url": URL},
    "url-not-str": {"base_url": b"https://h", "futures_base_url": URL},
    # Hosts no resolver takes (an empty or a 64-character label): the first call would fail on them.
    "url-host-empty-label": {"base_url": "https://a..b", "futures_base_url": URL},
    "url-host-leading-dot": {"base_url": "https://.example.com", "futures_base_url": URL},
    "url-host-label-too-long": {"base_url": f"https://{'a' * 64}.com", "futures_base_url": URL},
    "url-port-zero": {"base_url": "https://h:0", "futures_base_url": URL},
    "url-path-unencoded": {"base_url": "https://h/a^b", "futures_base_url": URL},
    "url-non-ascii": {"base_url": "https://bïnance.com", "futures_base_url": URL},
    "one-url-only": {"base_url": URL, "futures_base_url": None},
    "other-url-only": {"base_url": None, "futures_base_url": URL},
    "testnet-and-futures-url": {"testnet": True, "futures_base_url": URL},
    "recv-window-bool": {"recv_window": True},
    "recv-window-float": {"recv_window": 5000.0},
    "recv-window-zero": {"recv_window": 0},
    "recv-window-too-big": {"recv_window": SIGNING.recv_window_maximum + 1},
    "timeout-zero": {"timeout": 0},
    "timeout-negative": {"timeout": -1},
    "timeout-inf": {"timeout": float("inf")},
    "timeout-huge": {"timeout": 1e10},
    "timeout-beyond-float": {"timeout": 10**400},
    "max-wait-beyond-float": {"max_wait": 10**5000},  # more digits than an int may print
    "timeout-nan": {"timeout": float("nan")},
    "timeout-str": {"timeout": "10"},
    "timeout-bool": {"timeout": True},
    "max-wait-negative": {"max_wait": -1},
    "max-wait-inf": {"max_wait": float("inf")},
    "max-wait-huge": {"max_wait": 1e308},  # finite, but 2 x max_wait overflows the guard's ticket
    "max-wait-none": {"max_wait": None},
    "wait-not-bool": {"wait": 1},
    "max-response-bytes-zero": {"max_response_bytes": 0},
    "max-response-bytes-float": {"max_response_bytes": 1e6},
    "storage-uri-bad": {"storage_uri": "nope://x"},
    "storage-uri-unreachable-cluster": {"storage_uri": "redis+cluster://:pw@127.0.0.1:1"},
    "storage-uri-not-str": {"storage_uri": None},
    "storage-uri-async-only": {"storage_uri": "async+memory://"},  # the engine's storage steps are sync
    "account-empty": {"account": ""},
    "account-not-str": {"account": 7},
    "ip-label-empty": {"ip_label": ""},
    "namespace-not-str": {"budget_namespace": 1},
    "time-sync-not-bool": {"time_sync": "yes"},
    "time-sync-interval-zero": {"time_sync_interval": 0},
    "retry-not-policy": {"retry": 3},
    "retry-posts-not-bool": {"retry_not_executed_posts": "no"},
    "on-call-not-callable": {"on_call": 5},
    "window-zero": {"window_seconds": 0},
    "guard-negative": {"window_guard": -1},
    "clock-not-clock": {"clock": object()},
    "rng-not-random": {"rng": 4},
    "transport-not-transport": {"transport": object()},
    "async-transport-not-transport": {"async_transport": "x"},
    "allow-default-hosts-not-bool": {"allow_default_hosts": 1, "futures_base_url": None},
}


@pytest.mark.parametrize("options", CONSTRUCTOR.values(), ids=CONSTRUCTOR.keys())
def test_every_bad_option_is_a_config_error(options: dict[str, Any]) -> None:
    wire = Counting()
    settings: dict[str, Any] = {
        "base_url": URL,
        "futures_base_url": URL,
        "transport": httpx.MockTransport(wire.handler),
        **options,
    }
    with pytest.raises(BinanceConfigError):
        BinanceClient(HmacCredentials("k", "s"), **settings)
    assert wire.sent == []


class _KeylessSigner:
    def sign(self, payload: bytes) -> str:
        return "signature"


CREDENTIALS: dict[str, Callable[[], object]] = {
    "hmac-bytes-secret": lambda: HmacCredentials("k", b"s"),  # type: ignore[arg-type]
    "hmac-int-secret": lambda: HmacCredentials("k", 7),  # type: ignore[arg-type]
    "hmac-empty-secret": lambda: HmacCredentials("k", ""),
    # Bytes the environment could not decode arrive as lone surrogates: no UTF-8 text to key or unlock with.
    "hmac-secret-not-utf8": lambda: HmacCredentials("k", "s\udce9"),
    "passphrase-not-utf8": lambda: private_key_credentials("k", b"x", "p\udce9"),
    "hmac-bytes-key": lambda: HmacCredentials(b"k", "s"),  # type: ignore[arg-type]
    "hmac-none-key": lambda: HmacCredentials(None, "s"),  # type: ignore[arg-type]
    "hmac-key-with-newline": lambda: HmacCredentials("k\n", "s"),
    "pem-int": lambda: private_key_credentials("k", 5),  # type: ignore[arg-type]
    "pem-garbage": lambda: private_key_credentials("k", "not a key"),
    "pem-non-ascii": lambda: private_key_credentials("k", "clé"),
    "passphrase-int": lambda: private_key_credentials("k", b"x", 5),  # type: ignore[arg-type]
    "credentials-not-credentials": lambda: BinanceClient(object(), base_url=URL, futures_base_url=URL),  # type: ignore[arg-type]
    # A caller's own Credentials that can sign but has no API key for the header.
    "credentials-without-api-key": lambda: BinanceClient(
        _KeylessSigner(), base_url=URL, futures_base_url=URL
    ),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("make", CREDENTIALS.values(), ids=CREDENTIALS.keys())
def test_every_bad_credential_is_a_config_error(make: Callable[[], object]) -> None:
    with pytest.raises(BinanceConfigError):
        make()


def test_an_empty_secret_or_key_is_called_empty() -> None:
    for make in (lambda: HmacCredentials("k", ""), lambda: HmacCredentials("", "s")):
        with pytest.raises(BinanceConfigError, match=r"must be a non-empty str, not an empty str$"):
            make()


@pytest.mark.parametrize(
    "fields",
    [{"attempts": 0}, {"attempts": True}, {"attempts": 2.0}, {"base": -1}, {"cap": float("inf")}],
    ids=["attempts-zero", "attempts-bool", "attempts-float", "base-negative", "cap-inf"],
)
def test_a_bad_retry_policy_is_a_config_error(fields: dict[str, Any]) -> None:
    with pytest.raises(BinanceConfigError, match=rf"RetryPolicy\.{next(iter(fields))}"):
        RetryPolicy(**fields)


# Each call: through BinanceClient's method, and the same arguments through a generated function.
ARGUMENTS: dict[str, tuple[Callable[[BinanceClient], object], Callable[[BinanceClient], object] | None]] = {
    "assets-one-str": (
        lambda c: c.exchange_small_liability("BTC"),  # type: ignore[arg-type]
        lambda c: small_liability_exchange.sync_detailed(client=c.api, asset_names="BTC"),  # type: ignore[arg-type]
    ),
    "assets-none": (
        lambda c: c.exchange_small_liability(None),  # type: ignore[arg-type]
        lambda c: small_liability_exchange.sync_detailed(client=c.api, asset_names=None),  # type: ignore[arg-type]
    ),
    "assets-int-item": (
        lambda c: c.exchange_small_liability(["BTC", 1]),  # type: ignore[list-item]
        lambda c: small_liability_exchange.sync_detailed(client=c.api, asset_names=["BTC", 1]),  # type: ignore[list-item]
    ),
    "assets-bytes-item": (lambda c: c.exchange_small_liability([b"BTC"]), None),  # type: ignore[list-item]
    "assets-set": (lambda c: c.exchange_small_liability({"BTC"}), None),  # type: ignore[arg-type]
    "assets-dict": (lambda c: c.exchange_small_liability({"BTC": 1}), None),  # type: ignore[arg-type]
    "assets-comma": (
        lambda c: c.exchange_small_liability(["BTC,ETH"]),
        lambda c: small_liability_exchange.sync_detailed(client=c.api, asset_names=["BTC,ETH"]),
    ),
    "assets-too-many": (
        lambda c: c.exchange_small_liability(
            [f"C{i}" for i in range((EXCHANGE.parameters[0].max_items or 0) + 1)]
        ),
        None,
    ),
    "type-misspelled": (
        lambda c: c.manual_liquidation("MARGN"),  # type: ignore[arg-type]
        None,
    ),
    "type-int": (lambda c: c.manual_liquidation(1), None),  # type: ignore[arg-type]
    "type-none": (lambda c: c.manual_liquidation(None), None),  # type: ignore[arg-type]
    "symbol-int": (
        lambda c: c.manual_liquidation("ISOLATED", 7),  # type: ignore[arg-type]
        None,
    ),
    "isolated-without-symbol": (
        lambda c: c.manual_liquidation("ISOLATED"),
        lambda c: margin_manual_liquidation.sync_detailed(client=c.api, type_=_isolated()),
    ),
    "margin-type-lowercase": (lambda c: c.change_margin_type("BTCUSDT", "crossed"), None),  # type: ignore[arg-type]
    "margin-type-bool": (lambda c: c.change_margin_type("BTCUSDT", True), None),  # type: ignore[arg-type]
    "symbol-empty": (lambda c: c.change_margin_type("", "CROSSED"), None),
    "symbol-newline": (
        lambda c: c.change_margin_type("BTCUSDT\n", "CROSSED"),
        lambda c: change_margin_type.sync_detailed(client=c.api, symbol="BTCUSDT\n", margin_type=_crossed()),
    ),
    "symbol-bytes": (lambda c: c.change_margin_type(b"BTCUSDT", "CROSSED"), None),  # type: ignore[arg-type]
}


def _isolated() -> Any:
    from binance_margin_api.models import MarginAccountType

    return MarginAccountType.ISOLATED


def _crossed() -> Any:
    from binance_margin_api.models import FuturesMarginType

    return FuturesMarginType.CROSSED


@pytest.mark.parametrize(("call", "generated"), ARGUMENTS.values(), ids=ARGUMENTS.keys())
def test_every_bad_argument_is_refused_before_sending(
    call: Callable[[BinanceClient], object], generated: Callable[[BinanceClient], object] | None
) -> None:
    wire = Counting()
    with _client(wire) as client:
        with pytest.raises(BinanceValidationError) as raised:
            call(client)
        assert "nothing was sent" in str(raised.value)
        if generated is not None:
            with pytest.raises(BinanceValidationError):
                generated(client)
    assert wire.sent == []


async def test_async_doors_refuse_the_same_arguments() -> None:
    wire = Counting()
    async with _client(wire) as client:
        for refused in (
            client.aexchange_small_liability("BTC"),  # type: ignore[arg-type]
            client.aexchange_small_liability(None),  # type: ignore[arg-type]
            client.amanual_liquidation("MARGN"),  # type: ignore[arg-type]
            client.achange_margin_type("BTCUSDT", True),  # type: ignore[arg-type]
            small_liability_exchange.asyncio_detailed(client=client.api, asset_names="BTC"),  # type: ignore[arg-type]
        ):
            with pytest.raises(BinanceValidationError):
                await refused
    assert wire.sent == []


def test_recv_window_true_is_refused_not_sent_as_true() -> None:
    wire = Counting()
    with pytest.raises(BinanceConfigError, match="recvWindow"):
        _client(wire, recv_window=True)


def test_exactly_typed_arguments_go_out() -> None:
    wire = Counting()
    with _client(wire, retry=RetryPolicy(attempts=1), rng=random.Random(1)) as client:
        client.exchange_small_liability(("BTC", "ETH"))  # a tuple is a sequence of str too
        client.manual_liquidation(_isolated(), "BTCUSDT")  # the generated enum
    targets = [str(request.url) for request in wire.sent]
    assert "assetNames=BTC%2CETH&" in targets[0] and "type=ISOLATED&symbol=BTCUSDT&" in targets[1]


CLI_CASES: dict[str, list[str]] = {
    "bad-base-url": ["--base-url", "ftp://x", "--futures-base-url", URL, "coin-list"],
    "base-url-alone": ["--base-url", URL, "coin-list"],
    "one-asset-with-comma": [
        "--base-url",
        URL,
        "--futures-base-url",
        URL,
        "exchange-small-liability",
        "BTC,ETH",
    ],
    "timeout-zero": ["--base-url", URL, "--futures-base-url", URL, "--timeout", "0", "coin-list"],
    "recv-window-too-big": [
        "--base-url",
        URL,
        "--futures-base-url",
        URL,
        "--recv-window",
        "60001",
        "coin-list",
    ],
    "storage-junk": ["--base-url", URL, "--futures-base-url", URL, "--storage-uri", "nope://", "coin-list"],
}


CLI_CASES["secret-not-utf8"] = ["--base-url", URL, "--futures-base-url", URL, "coin-list"]


@pytest.mark.parametrize("arguments", CLI_CASES.values(), ids=CLI_CASES.keys())
def test_the_cli_refuses_bad_input_with_exit_2(
    arguments: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BINANCE_API_KEY", "k")
    # An environment's secret that is not UTF-8 (it reaches Python as a lone surrogate) for that case.
    secret = "s\udce9" if arguments is CLI_CASES["secret-not-utf8"] else "s"
    monkeypatch.setenv("BINANCE_API_SECRET", secret)
    monkeypatch.delenv("BINANCE_BASE_URL", raising=False)
    monkeypatch.delenv("BINANCE_FUTURES_BASE_URL", raising=False)
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.startswith("binance-margin: ") and "Traceback" not in error and "\udce9" not in error


def test_typed_errors_are_all_binance_margin_errors() -> None:
    assert issubclass(BinanceConfigError, BinanceMarginError)
    assert issubclass(BinanceValidationError, BinanceMarginError)
