"""The main job, end to end: regenerate and verify the client, start the local mock, call it through the CLI.

Run by scripts/demo inside .venv. Every step prints what it runs; the first failing step stops the demo.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def run(command: Sequence[str], *, env: dict[str, str] | None = None, expect: int = 0) -> str:
    print("$ " + " ".join(shlex.quote(part) for part in command), flush=True)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    sys.stdout.write(result.stdout)
    sys.stdout.write(result.stderr)
    if result.returncode != expect:
        raise SystemExit(f"demo: exit status {result.returncode}, expected {expect}")
    return result.stdout + result.stderr


@contextmanager
def mock_server() -> Iterator[tuple[str, str, str]]:
    """Start binance-margin-mock on a free port; yield its URL and the first HMAC demo key and secret."""
    process = subprocess.Popen(
        [str(BIN / "binance-margin-mock"), "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner: list[str] = []
        for line in process.stdout:
            banner.append(line.rstrip())
            if line.startswith("control endpoints:"):
                break
        print("\n".join(banner), flush=True)
        text = "\n".join(banner)
        url = re.search(r"listening on (http://\S+)", text)
        hmac = re.search(r"HMAC\s+api key (\S+)\s+secret (\S+)", text)
        if url is None or hmac is None:
            raise SystemExit("demo: the mock did not print its URL and an HMAC demo key")
        yield url.group(1), hmac.group(1), hmac.group(2)
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> int:
    python = sys.executable
    step("1. regenerate the client from spec/openapi.yaml, then verify it is fresh")
    run([python, "-m", "generator"])
    run([python, "-m", "generator", "--check"])

    step("2. the CLI")
    run([str(BIN / "binance-margin"), "--help"])

    step("3. start the local Binance (binance-margin-mock)")
    with mock_server() as (url, api_key, secret):
        env = {**os.environ, "BINANCE_API_KEY": api_key, "BINANCE_API_SECRET": secret}
        env.pop("BINANCE_PRIVATE_KEY_FILE", None)
        cli = [str(BIN / "binance-margin"), "--base-url", url, "--futures-base-url", url, "--show-weight"]

        step("4. the four calls through the real client")
        run([*cli, "coin-list"], env=env)
        run([*cli, "exchange-small-liability", "BTC", "ETH"], env=env)
        run([*cli, "manual-liquidation", "--type", "ISOLATED", "--symbol", "BTCUSDT"], env=env)
        run([*cli, "margin-type", "BTCUSDT", "ISOLATED"], env=env)

        step("5. refused by the mock's rules: a second exchange within 6 hours (exit 1)")
        run([*cli, "exchange-small-liability", "BTC"], env=env, expect=1)

        step("6. refused by the client before sending: 11 coins (exit 2, nothing sent)")
        run([*cli, "exchange-small-liability", *[f"C{i}" for i in range(11)]], env=env, expect=2)
    print("\ndemo: all steps behaved as expected")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
