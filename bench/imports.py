"""Import time of each client's public API: fresh interpreters, interleaved, median of several runs.

Each sample is one `python -c` that times its own import with perf_counter (interpreter start-up is not
counted), so the figure is what `import X` adds to a program. Bytecode caches are warm (every run after
the first), as they are for any installed package.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass

STATEMENTS: dict[str, tuple[str, str]] = {
    "floor-http.client": ("http.client + hmac + json", "import http.client, hmac, hashlib, json"),
    "floor-httpx": ("httpx", "import httpx"),
    "binance_margin": ("binance_margin", "import binance_margin"),
    # Lazy imports move some cost to the first client: this row shows the whole start-up.
    "binance_margin-client": (
        "binance_margin + BinanceClient(HMAC)",
        "import binance_margin as b; b.BinanceClient(b.HmacCredentials('k', 's'))",
    ),
    "official-sdk": ("binance-sdk (margin only)", "import binance_sdk_margin_trading"),
    "official-sdk-both": (
        "binance-sdk (margin + usds futures)",
        "import binance_sdk_margin_trading, binance_sdk_derivatives_trading_usds_futures",
    ),
    "ccxt": ("ccxt", "import ccxt"),
    "python-binance": ("python-binance", "from binance import Client"),
}
PEERS = ("official-sdk", "official-sdk-both", "ccxt", "python-binance")

_PROGRAM = "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"


@dataclass
class ImportTimes:
    seconds: dict[str, list[float]]
    names: dict[str, str]
    skipped: dict[str, str]


def _once(statement: str, env: dict[str, str], python: str) -> float | str:
    result = subprocess.run(
        [python, "-c", _PROGRAM.format(statement=statement)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        return result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "failed"
    return float(result.stdout.strip().splitlines()[-1])


def measure(
    keys: list[str], repetitions: int, env: dict[str, str] | None = None, python: str = sys.executable
) -> ImportTimes:
    """Import times with `python` (another interpreter: e.g. a runtime-only install's, see run.py)."""
    environment = dict(os.environ if env is None else env)
    times = ImportTimes({}, {}, {})
    live = []
    for key in keys:  # the first run also fills the bytecode caches; it is not counted
        label, statement = STATEMENTS[key]
        outcome = _once(statement, environment, python)
        if isinstance(outcome, str):
            times.skipped[key] = outcome
        else:
            live.append(key)
            times.names[key] = label
            times.seconds[key] = []
    for repetition in range(repetitions):
        shift = repetition % len(live) if live else 0
        for key in live[shift:] + live[:shift]:
            outcome = _once(STATEMENTS[key][1], environment, python)
            if isinstance(outcome, float):
                times.seconds[key].append(outcome)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def top_imports(
    module: str, count: int = 12, env: dict[str, str] | None = None, python: str = sys.executable
) -> list[tuple[int, int, str]]:
    """The `count` slowest imports under `import module` by cumulative µs (`-X importtime`), with self µs."""
    result = subprocess.run(
        [python, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        env=dict(os.environ if env is None else env),
        check=False,
    )
    rows = []
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            rows.append((int(match.group(2)), int(match.group(1)), match.group(3)[1:] + match.group(4)))
    return sorted(rows, reverse=True)[:count]
