"""The README's main job, `scripts/demo`, does what it says: regenerate and verify the client, start the
local mock, make the four calls through the CLI, and see both refusals (the demo's own steps, run here
without its install step; `.ci/run` installs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_demo_runs_every_step() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "_demo.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "demo: all steps behaved as expected" in out
    for step in ("1. regenerate", "4. the four calls", "5. refused by the mock", "6. refused by the client"):
        assert step in out
    assert "matches openapi.yaml" in out  # the regenerated client is what is committed
