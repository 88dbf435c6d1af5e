"""Per-call client cost: CPU (time.process_time) and wall time per call, interleaved across contenders.

Every round runs every contender's every operation for `calls` calls, in an order that rotates from
round to round, so slow drifts of a shared machine hit all contenders alike. Each round yields, per
contender and operation, the per-call cost and its ratio to each floor *measured in that same round*;
the reported figures are medians over rounds, with the spread (max-min)/median as a noise figure.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contenders import ASYNC, OPERATIONS, SYNC, Async, Sync


@dataclass
class Samples:
    """cpu[contender][operation] and wall[...]: per-call µs, one value per round."""

    cpu: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    wall: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, operation: str, cpu_us: float, wall_us: float) -> None:
        self.cpu.setdefault(key, {}).setdefault(operation, []).append(cpu_us)
        self.wall.setdefault(key, {}).setdefault(operation, []).append(wall_us)

    def mean_over_operations(self, table: dict[str, dict[str, list[float]]], key: str) -> list[float]:
        """Per round: the mean per-call cost over the four operations."""
        per_op = [table[key][operation] for operation in OPERATIONS]
        return [statistics.fmean(values) for values in zip(*per_op, strict=True)]


def median_and_noise(values: list[float]) -> tuple[float, float]:
    middle = statistics.median(values)
    return middle, (max(values) - min(values)) / middle if middle else 0.0


def ratio_samples(samples: Samples, key: str, floor: str, table: str = "cpu") -> list[float]:
    """Per round: mean-over-operations cost of `key` divided by that of `floor` in the same round."""
    data = samples.cpu if table == "cpu" else samples.wall
    mine = samples.mean_over_operations(data, key)
    base = samples.mean_over_operations(data, floor)
    return [a / b for a, b in zip(mine, base, strict=True)]


def _build(
    factories: dict[str, Callable[[str], Any]], keys: list[str], base: str, samples: Samples
) -> dict[str, Any]:
    built: dict[str, Any] = {}
    for key in keys:
        try:
            built[key] = factories[key](base)
        except ImportError as error:
            samples.skipped[key] = f"not installed ({error.name})"
            continue
        samples.names[key] = built[key].name
    return built


def run_sync(base: str, keys: list[str], calls: int, rounds: int, warmup: int = 30) -> Samples:
    samples = Samples()
    built: dict[str, Sync] = _build(SYNC, keys, base, samples)
    order = list(built)
    for contender in built.values():
        for call in contender.calls:
            for _ in range(warmup):
                call()
    for round_index in range(rounds):
        shift = round_index % len(order)
        for key in order[shift:] + order[:shift]:
            for operation, call in zip(OPERATIONS, built[key].calls, strict=True):
                gc.collect()
                cpu0, wall0 = time.process_time(), time.perf_counter()
                for _ in range(calls):
                    call()
                cpu1, wall1 = time.process_time(), time.perf_counter()
                samples.add(key, operation, (cpu1 - cpu0) / calls * 1e6, (wall1 - wall0) / calls * 1e6)
    for contender in built.values():
        contender.close()
    return samples


async def _run_async(base: str, keys: list[str], calls: int, rounds: int, warmup: int) -> Samples:
    samples = Samples()
    built: dict[str, Async] = _build(ASYNC, keys, base, samples)
    order = list(built)
    for contender in built.values():
        for call in contender.calls:
            for _ in range(warmup):
                await call()
    for round_index in range(rounds):
        shift = round_index % len(order)
        for key in order[shift:] + order[:shift]:
            for operation, call in zip(OPERATIONS, built[key].calls, strict=True):
                gc.collect()
                cpu0, wall0 = time.process_time(), time.perf_counter()
                for _ in range(calls):
                    await call()
                cpu1, wall1 = time.process_time(), time.perf_counter()
                samples.add(key, operation, (cpu1 - cpu0) / calls * 1e6, (wall1 - wall0) / calls * 1e6)
    for contender in built.values():
        await contender.close()
    return samples


def run_async(base: str, keys: list[str], calls: int, rounds: int, warmup: int = 30) -> Samples:
    return asyncio.run(_run_async(base, keys, calls, rounds, warmup))


@dataclass
class FanOut:
    name: str
    calls_per_second: list[float]
    cpu_us_per_call: list[float]


async def _fan_out_once(contender: Async, total: int, concurrency: int) -> tuple[float, float]:
    call = contender.calls[0]  # coin_list: the one GET, the call a fan-out typically makes
    per_task = total // concurrency

    async def worker() -> None:
        for _ in range(per_task):
            await call()

    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu1, wall1 = time.process_time(), time.perf_counter()
    done = per_task * concurrency
    return done / (wall1 - wall0), (cpu1 - cpu0) / done * 1e6


async def _fan_out(base: str, keys: list[str], total: int, concurrency: int, rounds: int) -> list[FanOut]:
    samples = Samples()
    built: dict[str, Async] = _build(ASYNC, keys, base, samples)
    results = {key: FanOut(built[key].name, [], []) for key in built}
    for contender in built.values():  # warm up: opens the connections
        await _fan_out_once(contender, concurrency * 2, concurrency)
    order = list(built)
    for round_index in range(rounds):
        shift = round_index % len(order)
        for key in order[shift:] + order[:shift]:
            rate, cpu = await _fan_out_once(built[key], total, concurrency)
            results[key].calls_per_second.append(rate)
            results[key].cpu_us_per_call.append(cpu)
    for contender in built.values():
        await contender.close()
    return list(results.values())


def run_fan_out(base: str, keys: list[str], total: int, concurrency: int, rounds: int) -> list[FanOut]:
    return asyncio.run(_fan_out(base, keys, total, concurrency, rounds))
