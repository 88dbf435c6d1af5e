"""Saturation benchmark: how close do budgeted clients get to the permitted rate, without a 429?

One process, then N processes sharing a Redis budget, call the coin-list GET (weight and limit from the
spec metadata: sapi-ip, per endpoint) as fast as the budget allows, against the mock with a shortened
rate-limit window. Runs start behind a barrier (every worker set up), on a window boundary, and last
whole windows, so the permitted number of calls is exactly (limit // weight) per window. With `--lead`
they start that long before a boundary instead, so every process's first (cold) calls cross it: the run
then touches one window more. Prints a table; docs/saturation-benchmark.md records it.

    PYTHONPATH=overrides:generated_client:mock:. python bench/saturation.py [--window 3] [--windows 6]
        [--processes 4] [--lead 0.25]

Needs redis-server on PATH for the shared run (it starts a private one on a free port in a temp dir).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


READY = "ready"  # a worker's first line: its interpreter, imports and client are set up


def worker(
    base_url: str,
    storage_uri: str,
    namespace: str,
    window: float,
    seconds: float,
    max_calls: int | None,
    max_wait: float | None,
) -> None:
    """One hammering process. It sets up, prints READY, and waits behind the barrier: a line "go <start>"
    on stdin (epoch seconds). Then it calls the coin list from `start` for `seconds` or until it made
    `max_calls` calls, waiting at most `max_wait` for the budget (default: the time left), and prints
    its counts as JSON."""
    from binance_margin import (
        BinanceClient,
        BinanceIPBannedError,
        BinanceRateLimitError,
        BinanceWaitRefused,
        HmacCredentials,
    )
    from binance_margin_mock import load_scenario

    key = next(k for k in load_scenario().accounts[0].keys if k.kind == "HMAC")
    counts = {"ok": 0, "429": 0, "418": 0, "refused": 0}
    with BinanceClient(
        HmacCredentials(key.api_key, key.secret or ""),
        base_url=base_url,
        futures_base_url=base_url,
        storage_uri=storage_uri,
        budget_namespace=namespace,
        window_seconds=window,
    ) as client:
        print(READY, flush=True)
        command, _, start_text = sys.stdin.readline().partition(" ")
        if command != "go":
            raise SystemExit(f"worker: expected 'go <start>' on stdin, got {command!r}")
        start = float(start_text)
        time.sleep(max(0.0, start - time.time()))
        end = start + seconds
        while (left := end - time.time()) > 0 and (max_calls is None or sum(counts.values()) < max_calls):
            try:
                with client.call_options(max_wait=left if max_wait is None else min(max_wait, left)):
                    client.coin_list()
                counts["ok"] += 1
            except BinanceRateLimitError:
                counts["429"] += 1
            except BinanceIPBannedError:
                counts["418"] += 1
            except BinanceWaitRefused:
                counts["refused"] += 1
                break
    print(json.dumps(counts))


def spawn_workers(
    base_url: str,
    storage_uri: str,
    namespace: str,
    window: float,
    seconds: float,
    processes: int,
    *,
    max_calls: int | None = None,
    max_wait: float | None = None,
    align: float | None = None,
    lead: float = 0.0,
) -> list[dict[str, int]]:
    """Run `processes` workers sharing `storage_uri` under `namespace`; their counts, one dict each.

    The load window is measured from when they all run, never from when they were spawned: every worker
    starts, sets up and reports READY; only then are they all told the same start time (0.2 s ahead, or
    `lead` seconds before the next multiple of `align` seconds at least that far ahead). How long
    interpreters take to start on a busy machine changes nothing but how long the barrier waits.
    """
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("overrides", "generated_client", "mock", ".")),
    }
    args = [base_url, storage_uri, namespace, str(window), str(seconds), str(max_calls), str(max_wait)]
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    try:
        for proc in procs:  # the barrier: block until every worker is set up
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != READY:
                raise RuntimeError(f"a worker failed to start (exit {proc.wait()}): {line!r}")
        start = time.time() + 0.2
        if align:
            start = math.ceil((start + lead) / align) * align - lead
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(f"go {start!r}\n")
            proc.stdin.flush()
        timeout = max(0.0, start + seconds - time.time()) + 60
        return [json.loads(proc.communicate(timeout=timeout)[0]) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(
    base_url: str, storage_uri: str, processes: int, window: float, windows: int, lead: float
) -> dict[str, int]:
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    totals = {"ok": 0, "429": 0, "418": 0}
    # Whole windows from a window boundary (or `lead` s before one), after every worker is set up.
    for counts in spawn_workers(
        base_url, storage_uri, namespace, window, windows * window, processes, align=window, lead=lead
    ):
        for name in totals:
            totals[name] += counts[name]
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=3.0, help="the shortened rate-limit window (s)")
    parser.add_argument("--windows", type=int, default=6, help="whole windows per run")
    parser.add_argument("--processes", type=int, default=4, help="processes sharing the Redis budget")
    parser.add_argument(
        "--lead",
        type=float,
        default=0.0,
        help="start this many seconds before a window boundary (first calls, cold, cross it)",
    )
    parser.add_argument("--worker", nargs=7, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        base, uri, namespace, window, seconds, max_calls, max_wait = options.worker
        worker(
            base,
            uri,
            namespace,
            float(window),
            float(seconds),
            None if max_calls == "None" else int(max_calls),
            None if max_wait == "None" else float(max_wait),
        )
        return

    from binance_margin_api.spec_metadata import OPERATIONS, RATE_LIMITS
    from binance_margin_mock import MockServer, create_app, load_scenario

    coins = OPERATIONS["getSmallLiabilityExchangeCoinList"]
    per_window = RATE_LIMITS[coins.rate_limit].limit // coins.weight
    permitted = per_window * (options.windows + (1 if options.lead else 0))
    scenario = dataclasses.replace(load_scenario(), window_seconds=options.window)
    redis_binary = shutil.which("redis-server")
    rows: list[tuple[str, dict[str, int]]] = []
    with MockServer(create_app(scenario)) as server, tempfile.TemporaryDirectory() as directory:

        def run(storage_uri: str, processes: int) -> dict[str, int]:
            window, windows, lead = options.window, options.windows, options.lead
            return _run(server.base_url, storage_uri, processes, window, windows, lead)

        rows.append(("1 process, memory://", run("memory://", 1)))
        if redis_binary is None:
            print("redis-server not found: skipping the shared run", file=sys.stderr)
        else:
            port = _free_port()
            redis = subprocess.Popen(
                [redis_binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", directory, "--save", ""],
                stdout=subprocess.DEVNULL,
            )
            try:
                time.sleep(0.5)
                uri = f"redis://127.0.0.1:{port}/0"
                rows.append(("1 process, redis", run(uri, 1)))
                label = f"{options.processes} processes, shared redis"
                rows.append((label, run(uri, options.processes)))
            finally:
                redis.terminate()
                redis.wait(10)
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"window {options.window:g} s x {options.windows} windows; permitted {permitted} calls "
        f"({per_window} per window: {coins.rate_limit} limit {RATE_LIMITS[coins.rate_limit].limit} "
        f"/ weight {coins.weight})"
    )
    print(f"{'run':32} {'calls':>6} {'permitted':>9} {'achieved':>9} {'429s':>5} {'418s':>5}")
    for label, totals in rows:
        print(
            f"{label:32} {totals['ok']:>6} {permitted:>9} {totals['ok'] / permitted:>8.1%} "
            f"{totals['429']:>5} {totals['418']:>5}"
        )


if __name__ == "__main__":
    main()
