"""Typing catches the mistakes a caller can make: misspelled enum values and option names are mypy
errors, the right calls are not. Runs mypy --strict on small programs written the way a team would."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]

RIGHT = """
from binance_margin import BinanceClient, HmacCredentials
from binance_margin_api.models import FuturesMarginType, MarginAccountType

client = BinanceClient(HmacCredentials("k", "s"), base_url="http://m", futures_base_url="http://m")
client.manual_liquidation("ISOLATED", symbol="BTCUSDT")
client.manual_liquidation(MarginAccountType.MARGIN)
client.change_margin_type("BTCUSDT", "CROSSED")
client.change_margin_type("BTCUSDT", FuturesMarginType.ISOLATED)
client.exchange_small_liability(["BTC", "ETH"])
BinanceClient.from_env(base_url="http://m", futures_base_url="http://m", timeout=3.0)
"""

WRONG = {
    'client.manual_liquidation("MARGN")': "manual_liquidation",
    'client.change_margin_type("BTCUSDT", "crossed")': "change_margin_type",
    'client.exchange_small_liability("BTC")': "exchange_small_liability",
    'BinanceClient.from_env(base_ur="http://m")': "base_ur",
    'BinanceClient.from_env(timeout="3")': "timeout",
}


def _mypy(program: str, tmp_path: Path) -> tuple[int, str]:
    source = tmp_path / "consumer.py"
    source.write_text(program, encoding="utf-8")
    out, err, status = api.run(
        [
            "--strict",
            "--no-incremental",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--python-version",
            "3.11",
            str(source),
        ]
    )
    return status, out + err


def test_right_calls_type_check(tmp_path: Path) -> None:
    status, output = _mypy(RIGHT, tmp_path)
    assert status == 0, output


def test_each_mistake_is_a_type_error(tmp_path: Path) -> None:
    lines = RIGHT.strip().splitlines()
    program = "\n".join([*lines[:4], *WRONG]) + "\n"
    status, output = _mypy(program, tmp_path)
    assert status == 1
    errors = [line for line in output.splitlines() if ": error:" in line]
    for offset, mistake in enumerate(WRONG):
        line_number = 5 + offset
        assert any(f"consumer.py:{line_number}:" in error for error in errors), (mistake, output)
