"""Production behaviour against the mock under uvicorn on loopback, with its clock and fault injection."""

from __future__ import annotations

import json

import pytest
from binance_margin import (
    DEFAULT_MAX_WAIT,
    BinanceAPIError,
    BinanceCooldownError,
    BinanceIPBannedError,
    BinanceRateLimitError,
    BinanceServerError,
    BinanceTransportError,
    BinanceWaitRefused,
)
from binance_margin._cli import main
from binance_margin_api.spec_metadata import OPERATIONS

from tests._mock_server import RunningMock

from .conftest import MockLinkedClock, make_client

COINS = OPERATIONS["getSmallLiabilityExchangeCoinList"]
EXCHANGE = OPERATIONS["smallLiabilityExchange"]
LIQUIDATE = OPERATIONS["marginManualLiquidation"]
MARGIN = OPERATIONS["changeMarginType"]


def test_429_with_retry_after_blocks_then_waits(
    mock: RunningMock, clock: MockLinkedClock, wire: object
) -> None:
    mock.control.add_fault(kind="rate_limit", operation=COINS.operation_id, count=1, retry_after=30)
    client = make_client(mock, clock=clock, transport=wire)
    with pytest.raises(BinanceRateLimitError) as raised:
        client.coin_list()
    assert raised.value.retry_after == 30
    with client.call_options(wait=False), pytest.raises(BinanceWaitRefused) as refused:
        client.coin_list()
    assert 29 <= refused.value.retry_after <= 30
    assert wire.count("GET", COINS.path) == 1  # type: ignore[attr-defined]
    client.coin_list()  # waits 30 s on the mock's clock, then succeeds
    assert sum(clock.slept) == pytest.approx(30, abs=1)
    assert wire.count("GET", COINS.path) == 2  # type: ignore[attr-defined]


def test_418_ban_blocks_the_family_until_it_ends(
    mock: RunningMock, clock: MockLinkedClock, wire: object
) -> None:
    mock.control.add_fault(kind="ban", operation=COINS.operation_id, count=1, retry_after=120)
    client = make_client(mock, clock=clock, transport=wire)
    with pytest.raises(BinanceIPBannedError):
        client.coin_list()
    with client.call_options(wait=False), pytest.raises(BinanceWaitRefused):
        client.manual_liquidation("MARGIN")  # same family, same IP: banned too
    # The ban is longer than the default max_wait: refused at once, with the time left, nothing sent.
    with pytest.raises(BinanceWaitRefused) as refused:
        client.manual_liquidation("MARGIN")
    assert refused.value.retry_after > DEFAULT_MAX_WAIT and clock.slept == []
    assert wire.count("POST", LIQUIDATE.path) == 0  # type: ignore[attr-defined]
    with client.call_options(max_wait=refused.value.retry_after + 1):
        client.manual_liquidation("MARGIN")  # waits out the ban on the mock's clock; the mock agrees it ended
    assert sum(clock.slept) >= 119


def test_minus_1021_recovery_after_the_server_clock_jumps(mock: RunningMock, wire: object) -> None:
    client = make_client(mock, transport=wire)  # real clock; no time sync up front
    client.manual_liquidation("MARGIN")
    mock.control.advance(45)  # the server is now 45 s ahead: our timestamps are outside recvWindow
    client.change_margin_type("BTCUSDT", "ISOLATED")
    record = client.last_call
    assert record is not None and record.outcome == "ok" and record.requests == 3
    assert record.time_offset_ms == pytest.approx(45_000, abs=1000)
    assert wire.count("POST", MARGIN.path) == 2  # type: ignore[attr-defined]


def test_get_5xx_is_retried(mock: RunningMock, wire: object) -> None:
    mock.control.add_fault(
        kind="error", operation=COINS.operation_id, count=2, status=500, code=-1000, msg="x"
    )
    client = make_client(mock, transport=wire)
    assert len(client.coin_list()) > 0
    assert wire.count("GET", COINS.path) == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize("preset", ["unknown", "internal_500"])
def test_post_5xx_is_not_resent_and_says_unknown(mock: RunningMock, wire: object, preset: str) -> None:
    if preset == "unknown":
        mock.control.add_fault(kind="error", operation=MARGIN.operation_id, count=1, fapi_503="unknown")
    else:
        mock.control.add_fault(kind="error", operation=MARGIN.operation_id, count=1, status=500, msg="boom")
    client = make_client(mock, transport=wire, retry_not_executed_posts=True)
    with pytest.raises(BinanceServerError, match="outcome unknown") as raised:
        client.change_margin_type("BTCUSDT", "ISOLATED")
    assert raised.value.outcome_unknown
    assert wire.count("POST", MARGIN.path) == 1  # type: ignore[attr-defined]


def test_fapi_503_service_unavailable_is_resent_on_opt_in(mock: RunningMock, wire: object) -> None:
    mock.control.add_fault(kind="error", operation=MARGIN.operation_id, count=1, fapi_503="unavailable")
    client = make_client(mock, transport=wire, retry_not_executed_posts=True)
    client.change_margin_type("BTCUSDT", "ISOLATED")
    assert wire.count("POST", MARGIN.path) == 2  # type: ignore[attr-defined]


def test_dropped_connection_get_is_retried(mock: RunningMock, wire: object) -> None:
    mock.control.add_fault(kind="drop", operation=COINS.operation_id, count=1)
    client = make_client(mock, transport=wire)
    client.coin_list()
    assert wire.count("GET", COINS.path) == 2  # type: ignore[attr-defined]


def test_dropped_connection_post_is_unknown_and_not_resent(mock: RunningMock, wire: object) -> None:
    mock.control.add_fault(kind="drop", operation=LIQUIDATE.operation_id, count=1, executed=True)
    client = make_client(mock, transport=wire, retry_not_executed_posts=True)
    with pytest.raises(BinanceTransportError, match="outcome unknown") as raised:
        client.manual_liquidation("MARGIN")
    assert raised.value.outcome_unknown
    assert wire.count("POST", LIQUIDATE.path) == 1  # type: ignore[attr-defined]
    # It did execute (executed=True): the liabilities are gone.
    assert mock.control.state()["accounts"]["10000001"]["cross"] == []


def test_six_hour_guard_after_success(mock: RunningMock, clock: MockLinkedClock, wire: object) -> None:
    client = make_client(mock, clock=clock, transport=wire)
    client.exchange_small_liability(["BTC"])
    with pytest.raises(BinanceCooldownError, match="next one is allowed from") as raised:
        client.exchange_small_liability(["ETH"])
    rule_seconds = 6 * 3600
    assert raised.value.retry_after == pytest.approx(rule_seconds, abs=2)
    assert wire.count("POST", EXCHANGE.path) == 1  # type: ignore[attr-defined]
    mock.control.advance(rule_seconds - 60)
    with pytest.raises(BinanceCooldownError):
        client.exchange_small_liability(["ETH"])
    mock.control.advance(61)
    client.exchange_small_liability(["ETH"])  # the mock agrees: allowed again
    assert wire.count("POST", EXCHANGE.path) == 2  # type: ignore[attr-defined]


def test_six_hour_guard_after_an_unknown_outcome(
    mock: RunningMock, clock: MockLinkedClock, wire: object
) -> None:
    mock.control.add_fault(kind="error", operation=EXCHANGE.operation_id, count=1, status=500, executed=True)
    client = make_client(mock, clock=clock, transport=wire)
    with pytest.raises(BinanceServerError, match="outcome unknown"):
        client.exchange_small_liability(["BTC"])
    with pytest.raises(BinanceCooldownError):
        client.exchange_small_liability(["ETH"])
    assert wire.count("POST", EXCHANGE.path) == 1  # type: ignore[attr-defined]


def test_six_hour_guard_is_not_armed_by_a_refusal(mock: RunningMock, clock: MockLinkedClock) -> None:
    client = make_client(mock, clock=clock)
    with pytest.raises(BinanceAPIError):
        client.exchange_small_liability(["BNB"])  # not eligible (>= 10 USDT): refused, nothing executed
    client.exchange_small_liability(["BTC"])


def test_ensure_margin_type_treats_4046_as_already_so(mock: RunningMock) -> None:
    client = make_client(mock)
    assert client.ensure_margin_type("BTCUSDT", "CROSSED").to_dict() == {
        "symbol": "BTCUSDT",
        "marginType": "CROSSED",
        "changed": False,
        "code": -4046,
    }
    assert client.ensure_margin_type("BTCUSDT", "ISOLATED").changed
    assert client.ensure_margin_type("BTCUSDT", "ISOLATED").code == -4046


@pytest.mark.parametrize("scenario", [{"margin_type_noop": "-4067"}], indirect=True)
async def test_ensure_margin_type_treats_the_noop_4067_as_already_so(mock: RunningMock) -> None:
    client = make_client(mock)
    result = await client.aensure_margin_type("BTCUSDT", "CROSSED")
    assert (result.changed, result.code) == (False, -4067)
    with pytest.raises(BinanceAPIError) as raised:
        await client.achange_margin_type("BTCUSDT", "CROSSED")  # the plain call still raises
    assert raised.value.code == -4067
    await client.aclose()


def test_ensure_margin_type_raises_a_real_open_order_refusal(mock: RunningMock) -> None:
    client = make_client(mock)
    with pytest.raises(BinanceAPIError) as raised:
        client.ensure_margin_type("ETHUSDT", "CROSSED")  # ETHUSDT has open orders in the scenario
    assert raised.value.code == -4047
    with pytest.raises(BinanceAPIError) as position:
        client.ensure_margin_type("BNBUSDT", "ISOLATED")  # BNBUSDT has a position
    assert position.value.code == -4048


def test_ensure_resends_after_an_unknown_outcome(mock: RunningMock, wire: object) -> None:
    mock.control.add_fault(
        kind="error", operation=MARGIN.operation_id, count=1, fapi_503="unknown", executed=True
    )
    client = make_client(mock, transport=wire)
    result = client.ensure_margin_type("BTCUSDT", "ISOLATED")
    assert (result.changed, result.code) == (None, -4046)  # the first request had executed: by us, maybe
    assert wire.count("POST", MARGIN.path) == 2  # type: ignore[attr-defined]


async def test_async_ensure_resends_after_an_unknown_outcome(mock: RunningMock) -> None:
    mock.control.add_fault(
        kind="error", operation=MARGIN.operation_id, count=1, fapi_503="unknown", executed=True
    )
    client = make_client(mock)
    result = await client.aensure_margin_type("BTCUSDT", "ISOLATED")
    await client.aclose()
    assert (result.changed, result.code) == (None, -4046)  # the first request had executed: by us, maybe
    assert mock.control.request_count(MARGIN.operation_id) == 2


def _executed_then_unavailable(mock: RunningMock) -> None:
    """The first request executes and its outcome is unknown; every resend is a 503 that did not execute."""
    mock.control.add_fault(
        kind="error", operation=MARGIN.operation_id, count=1, fapi_503="unknown", executed=True
    )
    mock.control.add_fault(kind="error", operation=MARGIN.operation_id, fapi_503="unavailable")


def test_ensure_whose_earlier_attempt_may_have_executed_never_says_not_executed(mock: RunningMock) -> None:
    _executed_then_unavailable(mock)
    client = make_client(mock)
    with pytest.raises(BinanceServerError) as raised:
        client.ensure_margin_type("BTCUSDT", "ISOLATED")
    # The last resend provably did not execute, but the first one did (the mock changed the symbol).
    assert raised.value.outcome_unknown
    assert "outcome unknown" in str(raised.value)
    assert mock.control.state()["accounts"]["10000001"]["futures"]["BTCUSDT"]["marginType"] == "ISOLATED"


async def test_async_ensure_whose_earlier_attempt_may_have_executed_says_so(mock: RunningMock) -> None:
    _executed_then_unavailable(mock)
    client = make_client(mock)
    with pytest.raises(BinanceServerError) as raised:
        await client.aensure_margin_type("BTCUSDT", "ISOLATED")
    await client.aclose()
    assert raised.value.outcome_unknown


def test_cli_ensure_whose_earlier_attempt_may_have_executed_exits_3(
    mock: RunningMock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests._secrets import MOCK_HMAC

    _executed_then_unavailable(mock)
    monkeypatch.setenv("BINANCE_API_KEY", MOCK_HMAC.api_key)
    monkeypatch.setenv("BINANCE_API_SECRET", MOCK_HMAC.secret or "")
    base = ["--base-url", mock.base_url, "--futures-base-url", mock.base_url, "margin-type"]
    assert main([*base, "BTCUSDT", "ISOLATED", "--ensure"]) == 3
    assert "outcome unknown" in capsys.readouterr().err


def test_cli_margin_type_ensure(
    mock: RunningMock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests._secrets import MOCK_HMAC

    monkeypatch.setenv("BINANCE_API_KEY", MOCK_HMAC.api_key)
    monkeypatch.setenv("BINANCE_API_SECRET", MOCK_HMAC.secret or "")
    base = ["--base-url", mock.base_url, "--futures-base-url", mock.base_url, "margin-type"]
    assert main([*base, "BTCUSDT", "CROSSED", "--ensure"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] is False
    assert main([*base, "BTCUSDT", "CROSSED"]) == 1  # without --ensure the no-op is an error
    assert "-4046" in capsys.readouterr().err
    assert main([*base, "ETHUSDT", "CROSSED", "--ensure"]) == 1  # a real refusal stays an error
