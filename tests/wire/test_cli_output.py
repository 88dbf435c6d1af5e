"""The installed `binance-margin` script when its stdout fails or the user presses Ctrl-C: a clean message
and an exit status that says whether the call executed (3 for a POST that did or may have, never 1), no
traceback. Each case is a real process against a loopback server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest

from tests._raw import RawServer, answer, answering, raw_server, read_request
from tests._secrets import CLI_API_KEY, CLI_SECRET

SCRIPT = Path(sys.executable).with_name("binance-margin")
COINS = b'[{"asset":"ETH","interest":"0","principal":"1","liabilityAsset":"USDT","liabilityQty":1}]'
EXCHANGED = b'{"code":200,"msg":"success"}'
COMMANDS = {
    "coin-list": (["coin-list"], COINS),
    "exchange-small-liability": (["exchange-small-liability", "BTC"], EXCHANGED),
    "margin-type": (["margin-type", "币安人生USDT", "CROSSED"], EXCHANGED),
}


def _environment(**extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("BINANCE_")}
    return environment | {"BINANCE_API_KEY": CLI_API_KEY, "BINANCE_API_SECRET": CLI_SECRET, **extra}


def _start(server: RawServer, arguments: list[str], stdout: Any, **extra: str) -> subprocess.Popen[bytes]:
    hosts = ["--base-url", server.url, "--futures-base-url", server.url]
    return subprocess.Popen(
        [str(SCRIPT), *hosts, *arguments],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=_environment(**extra),
    )


def _finish(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    _, err = process.communicate(timeout=60)
    return process.returncode, err.decode()


@contextmanager
def _closed_pipe() -> Iterator[IO[bytes]]:
    """The write end of a pipe whose reader is already gone: every write is EPIPE (a closed `| head`)."""
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "wb") as stream:
        yield stream


@pytest.mark.parametrize("sink", ["/dev/full", "closed-pipe"])
@pytest.mark.parametrize("command", ["exchange-small-liability", "coin-list"])
def test_a_result_that_cannot_be_written_says_whether_the_call_executed(sink: str, command: str) -> None:
    arguments, body = COMMANDS[command]
    with raw_server(answering(answer(200, body))) as server:
        if sink == "closed-pipe":
            with _closed_pipe() as stream:
                code, err = _finish(_start(server, arguments, stream))
        else:
            with open(sink, "wb") as stream:
                code, err = _finish(_start(server, arguments, stream))
    assert len(server.requests) == 1
    assert "Traceback" not in err
    assert "could not be written to stdout" in err
    if command == "exchange-small-liability":  # the POST executed: never "failed, not executed"
        assert (code, "the call executed" in err) == (3, True)
    else:
        assert (code, "executed" in err) == (1, False)


@pytest.mark.parametrize(
    ("shell", "arguments", "expected_code"),
    [
        (">/dev/full 2>&1", ["exchange-small-liability", "BTC"], 3),
        (">&- 2>&-", ["exchange-small-liability", "BTC"], 3),
        ("2>/dev/full", ["--show-weight", "exchange-small-liability", "BTC"], 0),
        ("2>/dev/full", ["coin-list"], 0),
    ],
    ids=["both-full", "both-closed", "weight-on-a-full-stderr", "get-on-a-full-stderr"],
)
def test_a_stderr_that_cannot_be_written_never_changes_the_exit_status(
    shell: str, arguments: list[str], expected_code: int
) -> None:
    body = COINS if "coin-list" in arguments else EXCHANGED
    with raw_server(answering(answer(200, body))) as server:
        hosts = ["--base-url", server.url, "--futures-base-url", server.url]
        process = subprocess.run(
            ["sh", "-c", f'"$0" "$@" {shell}', str(SCRIPT), *hosts, *arguments],
            env=_environment(),
            capture_output=True,
            timeout=60,
            check=False,
        )
    assert len(server.requests) == 1
    assert process.returncode == expected_code
    if expected_code == 0:  # stdout still works: the result is there
        assert json.loads(process.stdout) == ({} if body == EXCHANGED else json.loads(COINS))


def test_a_result_that_utf8_cannot_encode_is_written_as_its_json_escape() -> None:
    lone = b'{"asset":"\\ud800","interest":"0","principal":"1","liabilityAsset":"USDT","liabilityQty":1}'
    with raw_server(answering(answer(200, lone))) as server:
        process = _start(server, ["manual-liquidation", "--type", "MARGIN"], subprocess.PIPE)
        out, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (0, b"")
    assert json.loads(out)[0]["asset"] == "\ud800"


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity"])
def test_an_executed_post_whose_answer_holds_nan_writes_null_and_exits_0(number: bytes) -> None:
    liquidated = b'{"asset":"BTC","interest":"0","principal":"1","liabilityAsset":"USDT","liabilityQty":1,'
    with raw_server(answering(answer(200, liquidated + b'"extra":' + number + b"}"))) as server:
        process = _start(server, ["manual-liquidation", "--type", "MARGIN"], subprocess.PIPE)
        out, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (0, b"")
    assert json.loads(out)[0]["extra"] is None  # JSON has no NaN: null, and the rest of the result


def test_the_json_is_utf8_whatever_the_locale_encoding() -> None:
    arguments, body = COMMANDS["margin-type"]
    with raw_server(answering(answer(200, body))) as server:
        process = _start(server, [*arguments, "--ensure"], subprocess.PIPE, PYTHONIOENCODING="ascii")
        out, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (0, b"")
    assert json.loads(out.decode("utf-8"))["symbol"] == "币安人生USDT"


def _dripping_after_request(arrived: threading.Event) -> Any:
    """Read the request, then send an answer that never completes, one header byte at a time. A Ctrl-C
    that lands just before the client's read starts to wait is handled when that read returns (CPython
    runs signal handlers between bytecodes): the next byte, not the client's timeout, lets it take effect."""

    def behave(connection: socket.socket, server: RawServer) -> None:
        read_request(connection, server)
        connection.sendall(b"HTTP/1.1 200 OK\r\nX-Wait: ")
        arrived.set()
        while not server.stop.wait(0.05):
            connection.sendall(b"a")

    return behave


@pytest.mark.parametrize(
    ("arguments", "expected_code", "expected_message"),
    [
        (["coin-list"], 130, "interrupted; nothing executed"),
        (["--time-sync", "exchange-small-liability", "BTC"], 130, "interrupted; nothing executed"),
        (["exchange-small-liability", "BTC"], 3, "the outcome is unknown"),
    ],
    ids=["during-a-get", "before-the-post-was-sent", "after-the-post-was-sent"],
)
def test_ctrl_c_is_a_clean_message_and_a_documented_status(
    arguments: list[str], expected_code: int, expected_message: str
) -> None:
    arrived = threading.Event()
    with raw_server(_dripping_after_request(arrived)) as server:
        process = _start(server, [*arguments, "--timeout", "60"], subprocess.DEVNULL)
        try:
            assert arrived.wait(60), "the script never sent its first request"
            process.send_signal(signal.SIGINT)
            code, err = _finish(process)
        finally:
            process.kill()
    first = server.requests[0].split(b"\r\n", 1)[0]
    if "--time-sync" in arguments:  # interrupted while it asked the server's time: the POST never left
        assert b"/time" in first and len(server.requests) == 1
    assert (code, "Traceback" not in err, expected_message in err) == (expected_code, True, True)
