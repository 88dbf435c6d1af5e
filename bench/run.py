"""Run every benchmark and print one Markdown report: `python bench/run.py [--quick] [--only ...]`.

Sections: per-call cost (sync and async) against a canned keep-alive server in its own process, async
fan-out through one client, import time, regeneration time, the mock's throughput, and the size of the
hand-written package (`overrides/`) against its baseline. Contenders that are not installed are listed
as skipped. Ratios are per-round ratios to the floors measured in the same round, then the median;
"noise" is (max - min) / median over rounds. Nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The source tree, importable without installing: overrides, generated_client, mock, and bench itself.
TREE = [ROOT / "overrides", ROOT / "generated_client", ROOT / "mock", HERE, ROOT]
for entry in reversed(TREE):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

import imports  # noqa: E402
import mockload  # noqa: E402
import percall  # noqa: E402
import regen  # noqa: E402
import size  # noqa: E402
from contenders import OPERATIONS  # noqa: E402

SECTIONS = ("sync", "async", "fanout", "imports", "regen", "mock", "size")
SYNC_KEYS = [
    "floor-http.client",
    "floor-httpcore",
    "floor-httpx",
    "binance_margin",
    "binance_margin+httpx-transport",
    "official-sdk",
    "ccxt",
    "python-binance",
]
ASYNC_KEYS = [
    "floor-aiohttp",
    "floor-httpx-async",
    "binance_margin-async",
    "binance_margin-async+httpx-transport",
    "ccxt-async",
    "python-binance-async",
]
SYNC_PEERS = ("official-sdk", "ccxt", "python-binance")
ASYNC_PEERS = ("ccxt-async", "python-binance-async")
TARGET_FLOOR_RATIO = 1.15
TARGET_IMPORT_SHARE = 0.5


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    tree = os.pathsep.join(str(entry) for entry in TREE)
    env["PYTHONPATH"] = tree + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


@contextmanager
def canned_server() -> Iterator[str]:
    server = subprocess.Popen(
        [sys.executable, str(HERE / "canned_server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        if not line.startswith("listening on "):
            raise SystemExit(f"bench: the canned server did not start ({line.strip()!r})")
        yield f"http://127.0.0.1:{int(line.split()[-1])}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def machine() -> list[str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return [
        f"- machine: {os.cpu_count()} CPUs (nproc), {model}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}",
        f"- load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        f"- versions: {versions()}",
    ]


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    names = [
        "httpx",
        "ccxt",
        "python-binance",
        "binance-sdk-margin-trading",
        "binance-sdk-derivatives-trading-usds-futures",
        "binance-common",
        "requests",
        "aiohttp",
    ]
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def percall_table(
    samples: percall.Samples, floors: list[str], peers: tuple[str, ...], title: str
) -> list[str]:
    lines = [f"### {title}", ""]
    header = (
        "| client | "
        + " | ".join(OPERATIONS)
        + " | mean CPU µs | wall µs | "
        + " | ".join(f"× {samples.names[f].split(': ')[-1]} (CPU)" for f in floors)
    )
    lines += [header + " | noise |", "|" + "---|" * (len(OPERATIONS) + 4 + len(floors))]
    for key, name in samples.names.items():
        cells = [_fmt(statistics.median(samples.cpu[key][op])) for op in OPERATIONS]
        mean_cpu, noise = percall.median_and_noise(samples.mean_over_operations(samples.cpu, key))
        mean_wall = statistics.median(samples.mean_over_operations(samples.wall, key))
        ratios = [f"{statistics.median(percall.ratio_samples(samples, key, f)):.2f}" for f in floors]
        lines.append(
            f"| {name} | "
            + " | ".join(cells)
            + f" | {_fmt(mean_cpu)} | {_fmt(mean_wall)} | "
            + " | ".join(ratios)
            + f" | ±{noise * 50:.0f}% |"
        )
    for key, why in samples.skipped.items():
        lines.append(f"| {key} | skipped: {why} |")
    lines.append("")
    lines.append("Per-operation cells: median client CPU µs per call. wall µs includes the server's share.")
    lines.append("")
    return lines


def targets_percall(
    samples: percall.Samples, ours: list[str], floor: str, peers: tuple[str, ...]
) -> list[str]:
    lines = []
    live_peers = [p for p in peers if p in samples.names]
    for key in ours:
        if key not in samples.names or floor not in samples.names:
            continue
        ratio = statistics.median(percall.ratio_samples(samples, key, floor))
        met = "MET" if ratio <= TARGET_FLOOR_RATIO else "NOT MET"
        target = f"target ≤ {TARGET_FLOOR_RATIO}"
        lines.append(f"- {samples.names[key]}: {ratio:.2f}× {samples.names[floor]} ({target}): {met}")
        if live_peers:
            cheapest = min(
                live_peers, key=lambda p: statistics.median(percall.ratio_samples(samples, p, key))
            )
            vs = statistics.median(percall.ratio_samples(samples, cheapest, key))
            met = "MET" if vs > 1 else "NOT MET"
            lines.append(
                f"- {samples.names[key]} below every peer: cheapest peer {samples.names[cheapest]} costs "
                f"{vs:.2f}× as much CPU per call: {met}"
            )
    return lines


def fanout_table(results: list[percall.FanOut], total: int, concurrency: int) -> list[str]:
    lines = [
        f"### Async fan-out: {total} coin-list calls, {concurrency} concurrent tasks, one client",
        "",
        "| client | calls/s (median) | client CPU µs per call | noise |",
        "|---|---|---|---|",
    ]
    for result in results:
        rate, noise = percall.median_and_noise(result.calls_per_second)
        cpu = statistics.median(result.cpu_us_per_call)
        lines.append(f"| {result.name} | {rate:,.0f} | {_fmt(cpu)} | ±{noise * 50:.0f}% |")
    lines.append("")
    return lines


def imports_table(times: imports.ImportTimes) -> tuple[list[str], list[str]]:
    lines = [
        "### Import time (fresh interpreter, warm bytecode cache)",
        "",
        "| import | median ms | min ms | runs |",
        "|---|---|---|---|",
    ]
    for key, label in times.names.items():
        values = times.seconds[key]
        middle, low = statistics.median(values) * 1e3, min(values) * 1e3
        lines.append(
            f"| `{imports.STATEMENTS[key][1]}` ({label}) | {middle:.1f} | {low:.1f} | {len(values)} |"
        )
    for key, why in times.skipped.items():
        lines.append(f"| {imports.STATEMENTS[key][1]} | skipped: {why} | | |")
    lines.append("")
    target = []
    if "binance_margin" in times.seconds:
        ours = statistics.median(times.seconds["binance_margin"])
        peers = {k: statistics.median(times.seconds[k]) for k in imports.PEERS if k in times.seconds}
        if peers:
            fastest = min(peers, key=lambda k: peers[k])
            share = ours / peers[fastest]
            met = "MET" if share < TARGET_IMPORT_SHARE else "NOT MET"
            target.append(
                f"- import binance_margin: {ours * 1e3:.1f} ms = {share:.2f}× the fastest peer "
                f"({times.names[fastest]}, {peers[fastest] * 1e3:.1f} ms) "
                f"(target < {TARGET_IMPORT_SHARE}): {met}"
            )
    return lines, target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds (about a minute)")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--json", type=Path, help="also write the raw samples here")
    parser.add_argument(
        "--imports-python",
        help="time imports with this interpreter and its installed packages (not this tree): e.g. a venv "
        "with only the wheel's runtime dependencies and the peers (BENCHMARKS.md says how)",
    )
    args = parser.parse_args(argv)
    sections = args.only or list(SECTIONS)
    quick = args.quick
    calls, rounds = (60, 5) if quick else (200, 9)
    os.environ.update(_environment())
    raw: dict[str, object] = {}
    out = ["## Results", "", *machine(), f"- command: `python bench/run.py{' --quick' if quick else ''}`", ""]
    target_lines: list[str] = []
    print("\n".join(out), flush=True)

    def emit(lines: list[str]) -> None:
        out.extend(lines)
        print("\n".join(lines), flush=True)

    started = time.perf_counter()
    if {"sync", "async", "fanout"} & set(sections):
        with canned_server() as base:
            if "sync" in sections:
                samples = percall.run_sync(base, SYNC_KEYS, calls, rounds)
                raw["sync"] = {"cpu": samples.cpu, "wall": samples.wall}
                emit(
                    percall_table(
                        samples,
                        ["floor-http.client", "floor-httpcore", "floor-httpx"],
                        SYNC_PEERS,
                        f"Per call, sync ({calls} calls × {rounds} rounds per cell)",
                    )
                )
                target_lines += targets_percall(samples, ["binance_margin"], "floor-httpcore", SYNC_PEERS)
            if "async" in sections:
                samples = percall.run_async(base, ASYNC_KEYS, calls, rounds)
                raw["async"] = {"cpu": samples.cpu, "wall": samples.wall}
                emit(
                    percall_table(
                        samples,
                        ["floor-aiohttp", "floor-httpx-async"],
                        ASYNC_PEERS,
                        f"Per call, async, one call at a time ({calls} calls × {rounds} rounds per cell)",
                    )
                )
                target_lines += targets_percall(
                    samples,
                    ["binance_margin-async"],
                    "floor-aiohttp",
                    ASYNC_PEERS,
                )
            if "fanout" in sections:
                total, concurrency = (640, 32) if quick else (3200, 64)
                results = percall.run_fan_out(base, ASYNC_KEYS, total, concurrency, 3 if quick else 5)
                raw["fanout"] = [vars(r) for r in results]
                emit(fanout_table(results, total, concurrency))
    if "imports" in sections:
        python = args.imports_python or sys.executable
        # Another interpreter imports its own installed packages: without this tree on its path.
        import_env = (
            None
            if args.imports_python is None
            else {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        )
        times = imports.measure(list(imports.STATEMENTS), 5 if quick else 15, env=import_env, python=python)
        raw["imports"] = times.seconds
        table, target = imports_table(times)
        emit(table)
        target_lines += target
        rows = imports.top_imports("binance_margin", env=import_env, python=python)
        emit(
            [
                "Slowest imports under `import binance_margin` (`-X importtime`, one run, cumulative µs):",
                "",
                "| cumulative µs | self µs | module |",
                "|---|---|---|",
                *[f"| {cumulative:,} | {own:,} | `{name}` |" for cumulative, own, name in rows],
                "",
            ]
        )
    if "regen" in sections:
        seconds = regen.measure(1 if quick else 3)
        raw["regen"] = seconds
        if isinstance(seconds, str):
            emit([f"### Regeneration: failed: {seconds}", ""])
        else:
            emit(
                [
                    "### Regeneration (`python -m generator --target <tmp>`): "
                    f"median {statistics.median(seconds):.2f} s over {len(seconds)} run(s) "
                    f"(min {min(seconds):.2f} s)",
                    "",
                ]
            )
    if "mock" in sections:
        seconds, connections = (2.0, 16) if quick else (5.0, 32)
        loads = mockload.measure(seconds, connections, 1 if quick else 3)
        if isinstance(loads, str):
            emit([f"### Mock throughput: failed: {loads}", ""])
        else:
            raw["mock"] = [[vars(load) for load in run] for run in loads]
            lines = [
                f"### Mock throughput ({connections} keep-alive connections, {seconds:.0f} s per run)",
                "",
                "| request | req/s (median) | runs | non-200 answers |",
                "|---|---|---|---|",
            ]
            for index, label in enumerate(load.label for load in loads[0]):
                rates = [run[index].requests_per_second for run in loads]
                bad = sum(run[index].non_200 for run in loads)
                total = sum(run[index].total for run in loads)
                lines.append(
                    f"| {label} | {statistics.median(rates):,.0f} | {len(rates)} | {bad} of {total:,} |"
                )
            emit([*lines, ""])
    if "size" in sections:
        lines, target = size.table(size.current(), size.at(size.BASELINE))
        emit(lines)
        target_lines += target
    emit(
        [
            "### Targets",
            "",
            *(target_lines or ["- (no target measured in this run)"]),
            "",
            f"Total bench time: {time.perf_counter() - started:.0f} s",
            "",
        ]
    )
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
