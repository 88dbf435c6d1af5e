"""The CLI a team reaches for first: its version, its help, options anywhere, enum values in any case,
hosts from the environment, and amounts printed with their exact digits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from binance_margin import __version__
from binance_margin._cli import main
from binance_margin_api.spec_metadata import OPERATIONS

from tests._raw import answer, answering, raw_server
from tests._secrets import CLI_API_KEY, CLI_SECRET

COINS = (
    b'[{"asset":"ETH","interest":"0.00083334","principal":"0.0010","liabilityAsset":"USDT",'
    b'"liabilityQty":0.35520000000000000001},{"asset":"BTC","interest":"0","principal":"1",'
    b'"liabilityAsset":"USDT","liabilityQty":4.7100}]'
)


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BINANCE_API_KEY", CLI_API_KEY)
    monkeypatch.setenv("BINANCE_API_SECRET", CLI_SECRET)
    monkeypatch.delenv("BINANCE_BASE_URL", raising=False)
    monkeypatch.delenv("BINANCE_FUTURES_BASE_URL", raising=False)


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as raised:
        main(["--version"])
    assert raised.value.code == 0
    assert (
        capsys.readouterr().out.strip()
        == f"binance-margin {version('binance-margin')}"
        == f"binance-margin {__version__}"
    )


@pytest.mark.parametrize(
    ("command", "operation_id", "choices"),
    [
        ("coin-list", "getSmallLiabilityExchangeCoinList", None),
        ("exchange-small-liability", "smallLiabilityExchange", None),
        ("manual-liquidation", "marginManualLiquidation", "type"),
        ("margin-type", "changeMarginType", "marginType"),
    ],
)
def test_every_help_describes_the_command_and_its_choices(
    command: str, operation_id: str, choices: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    operation = OPERATIONS[operation_id]
    assert f"{operation.method} {operation.path}" in text and f"weight {operation.weight}" in text
    assert "--base-url" in text and "--timeout" in text  # the global options are shown here too
    if choices is not None:
        parameter = operation.parameter(choices)
        assert parameter is not None and parameter.enum is not None
        assert "{" + ",".join(parameter.enum) + "}" in text


def test_global_options_go_before_or_after_the_command_and_enums_take_any_case(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ack = answer(200, b'{"code":200,"msg":"success"}')
    with raw_server(answering(ack)) as server:
        before = main(
            ["--base-url", server.url, "--futures-base-url", server.url, "margin-type", "BTCUSDT", "crossed"]
        )
        after = main(
            ["margin-type", "BTCUSDT", "Isolated", "--base-url", server.url, "--futures-base-url", server.url]
        )
        mixed = main(
            [
                "--base-url",
                server.url,
                "manual-liquidation",
                "--type",
                "margin",
                "--futures-base-url",
                server.url,
            ]
        )
    assert (before, after) == (0, 0)
    assert mixed == 3  # a 2xx that is not a liquidation (the server only acknowledges): it may have executed
    targets = [request.split(b" ")[1].decode() for request in server.requests]
    assert "marginType=CROSSED&" in targets[0] and "marginType=ISOLATED&" in targets[1]
    assert "type=MARGIN&" in targets[2]
    capsys.readouterr()


@pytest.mark.parametrize("value", ["\u0131solated", "cro\u017f\u017fed"], ids=["dotless-i", "long-s"])
def test_a_letter_that_only_folds_into_ascii_is_no_case_of_an_enum_value(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ack = answer(200, b'{"code":200,"msg":"success"}')
    with raw_server(answering(ack)) as server, pytest.raises(SystemExit) as raised:
        main(["--base-url", server.url, "--futures-base-url", server.url, "margin-type", "BTCUSDT", value])
    assert (raised.value.code, server.requests) == (2, [])
    assert "invalid choice" in capsys.readouterr().err


def test_hosts_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with raw_server(answering(answer(200, b"[]"))) as server:
        monkeypatch.setenv("BINANCE_BASE_URL", server.url)
        monkeypatch.setenv("BINANCE_FUTURES_BASE_URL", server.url)
        assert main(["coin-list"]) == 0
        monkeypatch.delenv("BINANCE_FUTURES_BASE_URL")
        assert main(["coin-list"]) == 2  # one host set, the other left to production: refused
        assert "futures_base_url" in capsys.readouterr().err
        assert main(["--allow-default-hosts", "coin-list"]) == 0
    assert len(server.requests) == 2


def test_amounts_keep_their_exact_digits(capsys: pytest.CaptureFixture[str]) -> None:
    with raw_server(answering(answer(200, COINS))) as server:
        assert main(["--base-url", server.url, "--futures-base-url", server.url, "coin-list"]) == 0
    out = capsys.readouterr().out
    assert '"liabilityQty": 0.35520000000000000001' in out and '"liabilityQty": 4.7100' in out
    assert '"principal": "0.0010"' in out  # a string amount stays the string Binance sent
    assert json.loads(out)[0]["asset"] == "ETH"


def test_testnet_refuses_margin_calls_without_a_base_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--testnet", "coin-list"]) == 2
    assert "no test net" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["script", "python-m"])
def test_the_installed_script_answers_version_and_help(tmp_path: Path, command: str) -> None:
    script = Path(sys.executable).with_name("binance-margin")
    program = [str(script)] if command == "script" else [sys.executable, "-m", "binance_margin"]
    version = subprocess.run(
        [*program, "--version"], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert version.stdout.strip() == f"binance-margin {__version__}"
    assert (
        "margin-type"
        in subprocess.run([*program, "--help"], capture_output=True, text=True, check=True).stdout
    )


def test_an_answer_without_a_binance_code_is_named_by_its_status(capsys: pytest.CaptureFixture[str]) -> None:
    page = answer(400, b"<html>bad request</html>")
    with raw_server(answering(page)) as server:
        code = main(["--base-url", server.url, "--futures-base-url", server.url, "coin-list"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("binance-margin: HTTP 400: ") and "None" not in err


def test_an_empty_host_option_is_refused_not_taken_for_the_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--base-url "$UNSET_VARIABLE"` in a script must not send its calls to Binance's production hosts.
    monkeypatch.delenv("BINANCE_BASE_URL", raising=False)
    monkeypatch.delenv("BINANCE_FUTURES_BASE_URL", raising=False)
    assert main(["--base-url", "", "--futures-base-url", "", "coin-list"]) == 2
    assert "base URL" in capsys.readouterr().err
