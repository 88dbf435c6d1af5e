"""The async transport's response parser, fed the way a socket feeds it: any split, and early ends."""

from __future__ import annotations

import asyncio

import pytest
from binance_margin._async_transport import _Connection, _Incomplete, parse_response

CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
    b'4;ext=1\r\n[{"a\r\n'
    b'3\r\n":1\r\n'
    b"2\r\n}]\r\n"
    b"0\r\nX-Trailer: yes\r\n\r\n"
)
LENGTH = b'HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\n{"code":-1}'
UNTIL_CLOSE = b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nbusy, try later"


@pytest.mark.parametrize(
    ("raw", "content", "keep_alive", "needs_end"),
    [
        (CHUNKED, b'[{"a":1}]', True, False),
        (LENGTH, b'{"code":-1}', True, False),
        (UNTIL_CLOSE, b"busy, try later", False, True),
    ],
    ids=["chunked", "content-length", "until-close"],
)
def test_every_prefix_waits_or_fails_and_the_whole_parses(
    raw: bytes, content: bytes, keep_alive: bool, needs_end: bool
) -> None:
    for cut in range(len(raw)):
        assert parse_response(bytearray(raw[:cut]), "GET", ended=False) is None, cut
        if not needs_end:
            with pytest.raises(_Incomplete):
                parse_response(bytearray(raw[:cut]), "GET", ended=True)
    found = parse_response(bytearray(raw), "GET", ended=needs_end)
    assert found is not None
    answer, used = found
    assert (answer.content, answer.keep_alive, used) == (content, keep_alive, len(raw))


def test_head_and_no_content_answers_have_no_body() -> None:
    raw = b"HTTP/1.1 204 No Content\r\n\r\n"
    found = parse_response(bytearray(raw + b"next"), "POST", ended=False)
    assert found is not None and found[0].content == b"" and found[1] == len(raw)
    found = parse_response(bytearray(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"), "HEAD", ended=False)
    assert found is not None and found[0].content == b""


@pytest.mark.parametrize(
    "raw",
    [b"HTP/1.1 200 OK\r\n\r\n", b"HTTP/1.1 2x0 OK\r\n\r\n", b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n"],
    ids=["version", "status", "header"],
)
def test_malformed_heads_are_refused(raw: bytes) -> None:
    with pytest.raises(ValueError):
        parse_response(bytearray(raw), "GET", ended=False)


class _FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


async def _answered(*pieces: bytes) -> tuple[_Connection, bytes]:
    connection = _Connection()
    connection.connection_made(_FakeTransport())
    loop = asyncio.get_running_loop()
    for index, piece in enumerate(pieces):  # the answer arrives in pieces, after the request is sent
        loop.call_later(0.001 * (index + 1), connection.data_received, piece)
    answer = await connection.exchange(b"GET / HTTP/1.1\r\n\r\n", "GET", 5.0, 5.0)
    return connection, answer.content


async def test_a_connection_is_reused_only_when_nothing_arrived_after_the_answer() -> None:
    connection, content = await _answered(LENGTH[:20], LENGTH[20:])
    assert content == b'{"code":-1}' and connection.reusable
    connection, content = await _answered(LENGTH + b"HTTP/1.1 200 OK\r\n")  # bytes nobody asked for
    assert content == b'{"code":-1}' and not connection.reusable
    connection.data_received(b"late")  # arrived while idle
    assert not connection.reusable


async def test_a_connection_closed_mid_answer_fails_the_request() -> None:
    connection = _Connection()
    connection.connection_made(_FakeTransport())
    loop = asyncio.get_running_loop()
    loop.call_later(0.001, connection.data_received, LENGTH[:30])
    loop.call_later(0.002, connection.connection_lost, None)
    with pytest.raises(_Incomplete):
        await connection.exchange(b"GET / HTTP/1.1\r\n\r\n", "GET", 5.0, 5.0)
    assert not connection.reusable


async def test_no_answer_within_the_read_timeout_is_a_timeout() -> None:
    connection = _Connection()
    connection.connection_made(_FakeTransport())
    with pytest.raises(TimeoutError):
        await connection.exchange(b"GET / HTTP/1.1\r\n\r\n", "GET", 0.01, 5.0)
