"""The mock's own throughput: requests per second on loopback, from a lean asyncio load client.

The mock runs as `binance-margin-mock --port 0 --window-seconds 0.001` in its own process (one-millisecond
rate-limit windows, so the load measures serving, not 429s). The load client keeps `connections`
keep-alive connections busy for `seconds`, each sending one request at a time; signed requests are
signed with the mock's demo HMAC key just before they are sent. Any answer other than 200 is counted.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from contenders import API_KEY, API_KEY_HEADER, REQUESTS, signed_target

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Load:
    label: str
    requests_per_second: float
    non_200: int
    total: int


def _signed_coin_list(host: str) -> bytes:
    method, path, params = REQUESTS["coin_list"]
    return (
        f"{method} {signed_target(path, params)} HTTP/1.1\r\n"
        f"Host: {host}\r\n{API_KEY_HEADER}: {API_KEY}\r\n\r\n"
    ).encode()


def _server_time(host: str) -> bytes:
    return f"GET /api/v3/time HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


async def _load(base: str, label: str, signed: bool, connections: int, seconds: float) -> Load:
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    netloc = f"{host}:{port}"
    deadline = time.perf_counter() + seconds
    counts = {"total": 0, "bad": 0}

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                writer.write(_signed_coin_list(netloc) if signed else _server_time(netloc))
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                if length:
                    await reader.readexactly(length)
                counts["total"] += 1
                if not head.startswith(b"HTTP/1.1 200"):
                    counts["bad"] += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    return Load(label, counts["total"] / elapsed, counts["bad"], counts["total"])


def measure(seconds: float, connections: int, repetitions: int) -> list[list[Load]] | str:
    env = dict(os.environ)
    # A file, not a pipe: a chatty server must never block on it.
    errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in the finally below)
    mock = subprocess.Popen(
        [sys.executable, "-m", "binance_margin_mock._cli", "--port", "0", "--window-seconds", "0.001"],
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert mock.stdout is not None
        first = mock.stdout.readline().strip()
        if "listening on " not in first:
            mock.kill()
            mock.wait(timeout=10)
            errors.seek(0)
            last = (errors.read().strip().splitlines() or ["?"])[-1]
            return f"the mock did not start: {first or last}"
        base = first.split("listening on ", 1)[1].split()[0]
        results = []
        for _ in range(repetitions):
            results.append(
                [
                    asyncio.run(_load(base, "GET /api/v3/time (unsigned)", False, connections, seconds)),
                    asyncio.run(_load(base, "GET coin list (HMAC-signed)", True, connections, seconds)),
                ]
            )
        return results
    finally:
        mock.terminate()
        try:
            mock.wait(timeout=10)
        except subprocess.TimeoutExpired:
            mock.kill()
        errors.close()
