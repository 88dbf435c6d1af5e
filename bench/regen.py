"""Regeneration time: `python -m generator --target <temp dir>` end to end (openapi-python-client + ruff)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(repetitions: int) -> list[float] | str:
    seconds = []
    for _ in range(repetitions):
        with tempfile.TemporaryDirectory() as scratch:
            target = Path(scratch) / "binance_margin_api"
            start = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-m", "generator", "--target", str(target)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env=dict(os.environ),
                check=False,
            )
            elapsed = time.perf_counter() - start
            if result.returncode != 0:
                return (result.stderr or result.stdout).strip().splitlines()[-1]
            seconds.append(elapsed)
    return seconds
