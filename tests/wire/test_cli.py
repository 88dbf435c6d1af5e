"""The CLI: JSON on stdout and exit 0, 1 on an API error, 2 on a usage or validation error (nothing sent);
3 for an outcome that is unknown (tests/production/test_parity.py holds every door to it)."""

from __future__ import annotations

import json

import pytest
from binance_margin._cli import main
from binance_margin_api.spec_metadata import OPERATIONS, RATE_LIMITS
from binance_margin_mock import DEFAULT_SCENARIO, load_scenario

from tests._loopback import hmac_verifier, loopback_server
from tests._mock_server import running_mock
from tests._secrets import CLI_API_KEY, CLI_SECRET, CLI_WRONG_SECRET

SECRET = CLI_SECRET


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BINANCE_API_KEY", CLI_API_KEY)
    monkeypatch.setenv("BINANCE_API_SECRET", SECRET)
    monkeypatch.delenv("BINANCE_PRIVATE_KEY_FILE", raising=False)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ["coin-list"],
            [
                {
                    "asset": "ETH",
                    "interest": "0.00083334",
                    "principal": "0.001",
                    "liabilityAsset": "USDT",
                    "liabilityQty": 0.3552,
                }
            ],
        ),
        (["exchange-small-liability", "BTC", "ETH"], {}),
        (
            ["manual-liquidation", "--type", "MARGIN"],
            [
                {
                    "asset": "ETH",
                    "interest": "0.00083334",
                    "principal": "0.001",
                    "liabilityAsset": "USDT",
                    "liabilityQty": 0.3552,
                }
            ],
        ),
        (["margin-type", "币安人生USDT", "CROSSED"], {"code": 200, "msg": "success"}),
    ],
)
def test_commands_print_json_and_exit_0(
    capsys: pytest.CaptureFixture[str], arguments: list[str], expected: object
) -> None:
    with loopback_server(hmac_verifier(SECRET)) as server:
        code = main(
            [
                "--base-url",
                server.base_url,
                "--futures-base-url",
                server.base_url,
                *arguments,
            ]
        )
    assert code == 0
    assert json.loads(capsys.readouterr().out) == expected
    assert server.seen[0].signature_valid


def test_api_error_exits_1_with_code_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BINANCE_API_SECRET", CLI_WRONG_SECRET)
    with loopback_server(hmac_verifier(SECRET)) as server:
        code = main(["--base-url", server.base_url, "--futures-base-url", server.base_url, "coin-list"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert "-1022" in captured.err and CLI_WRONG_SECRET not in captured.err


@pytest.mark.parametrize(
    "arguments",
    [
        ["manual-liquidation", "--type", "ISOLATED"],
        ["exchange-small-liability", *[f"C{i}" for i in range(11)]],
        ["exchange-small-liability", "BTC", "BTC"],
        ["--recv-window", "60001", "coin-list"],
    ],
    ids=["isolated-without-symbol", "eleven-coins", "duplicate", "recv-window"],
)
def test_validation_errors_exit_2_and_send_nothing(
    capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    with loopback_server(hmac_verifier(SECRET)) as server:
        code = main(["--base-url", server.base_url, "--futures-base-url", server.base_url, *arguments])
    assert code == 2
    assert server.seen == []
    assert "binance-margin:" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["margin-type", "BTCUSDT", "SIDEWAYS"])
    assert raised.value.code == 2


def test_missing_credentials_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BINANCE_API_KEY")
    assert main(["coin-list"]) == 2
    assert "BINANCE_API_KEY" in capsys.readouterr().err


def test_show_weight_prints_the_used_weight_headers(capsys: pytest.CaptureFixture[str]) -> None:
    with running_mock() as mock:
        key = load_scenario(DEFAULT_SCENARIO).accounts[0].keys[0]
        assert key.secret is not None
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("BINANCE_API_KEY", key.api_key)
            patch.setenv("BINANCE_API_SECRET", key.secret)
            code = main(
                [
                    "--base-url",
                    mock.base_url,
                    "--futures-base-url",
                    mock.base_url,
                    "--show-weight",
                    "coin-list",
                ]
            )
    err = capsys.readouterr().err
    assert code == 0
    # The mock reports the spec's weight for the coin list as used, against the bucket the spec names.
    coins = OPERATIONS["getSmallLiabilityExchangeCoinList"]
    bucket = RATE_LIMITS[coins.rate_limit]
    assert f"{bucket.used_weight_header}: {coins.weight} (limit {bucket.limit}" in err
    assert "from the server" in err
