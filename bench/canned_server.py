"""A tiny HTTP/1.1 keep-alive server that answers canned bodies per path, for client-side benchmarks.

Run it in its own process (`python bench/canned_server.py [--port 0]`): it prints `listening on PORT`
and serves until killed, so its CPU never counts against the client being measured. It checks no
signatures and keeps no state: it parses just enough HTTP/1.1 (request line, Content-Length, body) to
answer each request on the same connection.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from typing import cast

from binance_margin_api.spec_metadata import API_FAMILIES, OPERATIONS

COIN = {
    "asset": "ETH",
    "interest": "0.00083334",
    "principal": "0.001",
    "liabilityAsset": "USDT",
    "liabilityQty": 0.3552,
}
# Documented shapes. The small-liability exchange answers `{}` (one of its three documented bodies):
# the official SDK raises on an empty body.
BODIES: dict[str, bytes] = {
    OPERATIONS["getSmallLiabilityExchangeCoinList"].path: json.dumps([COIN]).encode(),
    OPERATIONS["marginManualLiquidation"].path: json.dumps(COIN).encode(),
    OPERATIONS["changeMarginType"].path: b'{"code":200,"msg":"success"}',
    **{family.server_time.path: b'{"serverTime":1767225600000}' for family in API_FAMILIES.values()},
}
POST_BODIES: dict[str, bytes] = {OPERATIONS["smallLiabilityExchange"].path: b"{}"}


def _answer(body: bytes) -> bytes:
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
    )
    return head + body


_GET = {path: _answer(body) for path, body in BODIES.items()}
_POST = {**_GET, **{path: _answer(body) for path, body in POST_BODIES.items()}}
_DEFAULT = _answer(b"{}")


class CannedProtocol(asyncio.Protocol):
    """Answers every complete request in the buffer; handles pipelining and bodies."""

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have the same API.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data
        out = []
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            length = 0
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = lower.find(b"\r\n", at + 2)
                length = int(lower[at + 17 : stop if stop >= 0 else len(lower)].strip())
            total = end + 4 + length
            if len(buffer) < total:
                break
            method, _, rest = head.partition(b" ")
            target = rest.partition(b" ")[0]
            path = target.partition(b"?")[0].decode("latin-1")
            table = _GET if method == b"GET" else _POST
            out.append(table.get(path, _DEFAULT))
            buffer = buffer[total:]
        self._buffer = buffer
        if out and self._transport is not None:
            self._transport.write(b"".join(out))


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(CannedProtocol, host, port, backlog=2048)
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        # Optional: a faster loop keeps the server further from being the bottleneck.
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    with contextlib.suppress(KeyboardInterrupt):
        runner(serve(args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
