"""A raw TCP server for wire-level tests: each connection is handed to a behaviour that writes whatever
bytes it likes (hostile status lines, drips, early closes). It records every request it read.

It shares no code with the client or with any HTTP library: it reads request heads by hand, so that a
test can see exactly what arrived (including what a broken header would have smuggled in).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class RawServer:
    url: str
    requests: list[bytes] = field(default_factory=list)  # every request (head and body) read, in order
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def record(self, request: bytes) -> None:
        with self.lock:
            self.requests.append(request)


Behaviour = Callable[[socket.socket, RawServer], None]


def read_request(
    connection: socket.socket, server: RawServer, buffer: bytearray | None = None
) -> bytes | None:
    """Read one request (head, and a Content-Length body) from `connection`; None at end of stream.
    `buffer` carries bytes that arrived after a previous request on the same connection."""
    data = buffer if buffer is not None else bytearray()
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = bytes(data).partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or b"0")
    while len(rest) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        rest += chunk
    request = head + b"\r\n\r\n" + rest[:length]
    data[:] = rest[length:]
    server.record(request)
    return request


@contextmanager
def raw_server(behave: Behaviour) -> Iterator[RawServer]:
    """A loopback server; every accepted connection runs `behave` in a thread of its own."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.02)  # poll, so that the server stops as soon as the test is done
    server = RawServer(url=f"http://127.0.0.1:{listener.getsockname()[1]}")
    threads: list[threading.Thread] = []

    def handle(connection: socket.socket) -> None:
        # The client going away (OSError) ends the behaviour: what the client saw is the test's business.
        with connection, contextlib.suppress(OSError):
            behave(connection, server)

    def serve() -> None:
        while not server.stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with server.lock:
                server.connections += 1
            thread = threading.Thread(target=handle, args=(connection,), daemon=True)
            threads.append(thread)
            thread.start()

    acceptor = threading.Thread(target=serve, daemon=True)
    acceptor.start()
    try:
        yield server
    finally:
        server.stop.set()
        listener.close()
        acceptor.join(timeout=5)
        for thread in threads:
            thread.join(timeout=5)


def answer(status: int, body: bytes, *headers: bytes) -> bytes:
    """A well-formed HTTP/1.1 answer with Content-Length."""
    head = b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % (status, len(body))
    return head + b"".join(header + b"\r\n" for header in headers) + b"\r\n" + body


def answering(raw: bytes, *, keep_alive: bool = True) -> Behaviour:
    """Answer every request on a connection with `raw` (closing after one unless `keep_alive`)."""

    def behave(connection: socket.socket, server: RawServer) -> None:
        buffer = bytearray()
        while read_request(connection, server, buffer) is not None:
            connection.sendall(raw)
            if not keep_alive:
                return

    return behave


def drip(prefix: bytes) -> Behaviour:
    """Write `prefix`, then one byte every 0.1 s for as long as the client listens (a slowloris answer)."""

    def behave(connection: socket.socket, server: RawServer) -> None:
        read_request(connection, server)
        connection.sendall(prefix)
        while not server.stop.wait(0.1):
            connection.sendall(b"a")

    return behave


DRIPS = {
    "status-line": b"HTTP/1.1 2",
    "headers": b"HTTP/1.1 200 OK\r\nX-Slow: ",
    "body": b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n[",
    "chunked-body": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffff\r\n[",
}


def ends(call: Callable[[], object], within: float) -> BaseException | None:
    """Run `call` in a thread; the exception it ended with (None if none). Fails if it has not ended
    `within` seconds: `timeout` did not bound it."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(within)
    assert outcome, f"the call was still running after {within} s: timeout is not a deadline"
    return outcome[0]


def refused_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
