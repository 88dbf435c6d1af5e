"""Serving the mock under uvicorn: in the foreground (the CLI) or in a background thread (tests)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Final

import uvicorn
from starlette.types import Scope

from ._app import MockApp

_STARTUP_TIMEOUT: Final = 10.0


def listen(host: str, port: int) -> socket.socket:
    """A listening socket; binding first lets port 0 be resolved (and printed) before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def make_server(app: MockApp, *, log_level: str = "warning") -> uvicorn.Server:
    """A uvicorn server for `app`, wired so that `drop` faults really close the connection."""
    # h11: its protocol objects keep `.client` and `.transport`, which `drop` relies on.
    # No proxy headers: a client's own X-Forwarded-For must not choose the IP its weight is counted on.
    server = uvicorn.Server(
        uvicorn.Config(app, log_level=log_level, http="h11", lifespan="off", proxy_headers=False)
    )

    async def drop(scope: Scope) -> None:
        client = tuple(scope.get("client") or ())
        for connection in list(server.server_state.connections):
            if getattr(connection, "client", None) == client:
                connection.transport.abort()
        # Let connection_lost run so uvicorn sees a disconnect instead of sending its own 500.
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    app.drop_connection = drop
    return server


class MockServer:
    """The mock under uvicorn in a daemon thread: `with MockServer(app) as server: server.base_url`."""

    def __init__(self, app: MockApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self._socket = listen(host, port)
        self.port = int(self._socket.getsockname()[1])
        self._server = make_server(app)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name="binance-margin-mock",
            daemon=True,
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> MockServer:
        self._thread.start()
        if not _wait(lambda: self._server.started or not self._thread.is_alive()) or not self._server.started:
            raise RuntimeError("binance-margin-mock did not start")
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(_STARTUP_TIMEOUT)
        self._socket.close()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _wait(condition: Callable[[], bool]) -> bool:
    pause = threading.Event()
    for _ in range(int(_STARTUP_TIMEOUT / 0.01)):
        if condition():
            return True
        pause.wait(0.01)
    return False
