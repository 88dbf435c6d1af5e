"""A sample consumer program, run in a separate interpreter against the mock; prints what it saw as JSON.

`consumer_program(root)` returns its source for a package importable as `{root}binance_margin`
(root "" for an installed wheel, "consumer._vendor." for a vendored copy).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

# The mock's demo HMAC key (Binance's documented example key): public, for the mock only.
DEMO_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
DEMO_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
WATCHED = (
    "binance_margin",
    "binance_margin_api",
    "binance_margin_mock",
    "yaml",
    "openapi_python_client",
    "pytest",
)

_PROGRAM = """
import asyncio, json, sys
import {root}binance_margin as package
from {root}binance_margin import BinanceAPIError, BinanceClient, HmacCredentials

base = sys.argv[1]
client = BinanceClient(HmacCredentials({key!r}, {secret!r}), base_url=base, futures_base_url=base)
out = {{"package_file": package.__file__}}
out["coins"] = sorted(coin.asset for coin in client.coin_list())
out["exchange"] = client.exchange_small_liability(["BTC", "ETH"])
out["liquidated"] = [coin.asset for coin in client.manual_liquidation("ISOLATED", "BTCUSDT")]
out["margin_type"] = client.change_margin_type("BTCUSDT", "ISOLATED").msg
try:
    client.change_margin_type("BTCUSDT", "ISOLATED")
except BinanceAPIError as error:
    out["error"] = [error.status, error.code, error.family, type(error).__module__]
out["async_coins"] = sorted(coin.asset for coin in asyncio.run(client.acoin_list()))
client.close()
out["modules"] = sorted({{name.split(".")[0] for name in sys.modules}} & set({watched!r}))
print(json.dumps(out))
"""


def consumer_program(root: str) -> str:
    return _PROGRAM.format(root=root, key=DEMO_KEY, secret=DEMO_SECRET, watched=WATCHED)


def run_consumer(python: str | Path, program: str, base_url: str, cwd: Path) -> dict[str, Any]:
    """Run `program` with `python` in `cwd`, without this repository on its path; return its JSON."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONNOUSERSITE"] = "1"
    script = cwd / "consumer_main.py"
    script.write_text(program, encoding="utf-8")
    result = subprocess.run(
        [str(python), str(script), base_url], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"consumer failed:\n{result.stdout}\n{result.stderr}"
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def check_consumer_results(out: dict[str, Any], expected_module: str) -> None:
    """What the default mock scenario answers to the consumer's calls."""
    assert out["coins"] == ["BTC", "ETH"]
    assert out["exchange"] is None
    assert out["liquidated"] == ["USDT"]
    assert out["margin_type"] == "success"
    # BTCUSDT is ISOLATED now: a second change is FAPI's -4046, raised as the typed error.
    assert out["error"] == [400, -4046, "fapi", expected_module]
    assert isinstance(out["async_coins"], list)


def python_in(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
