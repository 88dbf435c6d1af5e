"""What crosses between the call engine and the HTTP drivers: a request to send, and what came back.

The engine builds a `WireRequest` whose request target is already percent-encoded and signed: a driver sends
it as it is. A driver answers with an `Answer` (a status line arrived) or a `TransportFailure` (none did),
never with an exception: transport errors flow back into the engine, which decides what they mean.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from ._errors import BinanceConfigError

if TYPE_CHECKING:
    import ssl


def tls_context() -> ssl.SSLContext:
    """httpx's TLS defaults (certifi, or SSL_CERT_FILE / SSL_CERT_DIR), for the default drivers; a
    BinanceConfigError (nothing sent) when they cannot be loaded (a missing or non-PEM file)."""
    import httpx  # loaded with the first call

    try:
        return httpx.create_ssl_context()
    except OSError as error:  # ssl.SSLError is one
        raise BinanceConfigError(
            f"the TLS certificates cannot be loaded (SSL_CERT_FILE, SSL_CERT_DIR?): {type(error).__name__}; "
            "nothing was sent"
        ) from None


def client_closed() -> BinanceConfigError:
    """What a call to a closed client raises: connections made after close() would never be closed."""
    return BinanceConfigError("the client is closed (close() or aclose()); nothing was sent")


def closed_during_call() -> BinanceConfigError:
    """What a sender raises for a request after its client was closed (by another thread or task while
    a call was running): a retry or resend would open a connection nothing closes."""
    return BinanceConfigError(
        "the client was closed during the call (close() or aclose()); this request was not sent"
    )


def check_header_value(what: str, value: object) -> None:
    """BinanceConfigError (nothing sent) unless `value` is a str that may go in a header.

    Printable ASCII, no space at either end: CR, LF or NUL would split one header into several (or smuggle a
    request) on a transport that does not check; other bytes are refused by h11 with the value in the
    message, or cannot be encoded. The value is never quoted (it is an API key)."""
    if not isinstance(value, str):
        raise BinanceConfigError(f"{what} must be a str, not {type(value).__name__}")
    if not (value.isascii() and value.isprintable()) or value != value.strip():
        raise BinanceConfigError(
            f"{what} may hold only printable ASCII characters, with no space at either end"
            " (it goes in an HTTP header)"
        )


@attrs.frozen(slots=True)
class Origin:
    """Where one API family is served: scheme, host and port, and the base path operations go under."""

    scheme: str  # "http" or "https"
    host: str  # without brackets for IPv6
    port: int
    netloc: str  # the Host header: host[:port], the port only when it is not the scheme's default
    base_path: str  # "" or "/prefix" (no trailing slash)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.base_path}"


# Made on every call: not frozen (attrs' frozen __init__ costs about 3x); only `sent` changes.
@attrs.define(slots=True)
class WireRequest:
    """One HTTP request, ready to go: `target` is the request line's path and query, byte for byte."""

    method: str
    origin: Origin
    # Signed (the query) and keyed (the API key header): kept out of the repr, as of tracebacks.
    target: str = attrs.field(repr=False)
    headers: tuple[tuple[str, str], ...] = attrs.field(repr=False)
    timeout: float  # seconds for the whole answer: connect, send, status line, headers and body
    # Set by the sender once the request's bytes may begin to leave: what an interruption, which
    # carries no reply, is judged by.
    sent: bool = False

    @property
    def timeouts(self) -> dict[str, float]:
        """The `timeout` extension of httpcore and httpx: each of their phases gets the whole timeout."""
        return dict.fromkeys(("connect", "read", "write", "pool"), self.timeout)


# Made on every call: not frozen (attrs' frozen __init__ costs about 3x), and never changed.
@attrs.define(slots=True)
class Answer:
    """A response whose status line and headers arrived. `headers` is looked up by lower-case name (see
    `header_fields`).

    `body` is the body as received (any Content-Encoding not yet undone). `body_error` says why the body
    could not be read whole (cut short, too large, too slow), and `body` is then empty; the status still
    tells what happened.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes
    body_error: str | None = None


# Made on every call: not frozen (attrs' frozen __init__ costs about 3x), and never changed.
@attrs.define(slots=True)
class TransportFailure:
    """No response arrived. `sent` is False only when the request provably never reached the server
    (connection refused, connect or pool timeout, refused locally): otherwise its bytes may have."""

    kind: str
    message: str
    sent: bool

    @classmethod
    def of(cls, error: BaseException, *, sent: bool, request: WireRequest) -> TransportFailure:
        """The failure `error`; the signed query, should the library's message quote the URL, left out."""
        message = str(error)
        _, _, query = request.target.partition("?")
        if query:
            message = message.replace(query, "<signed query>")
        return cls(kind=type(error).__name__, message=message, sent=sent)


Reply = Answer | TransportFailure


def header_fields(lines: Iterable[tuple[str, str]]) -> dict[str, str]:
    """An answer's headers by lower-case name. A field sent on several lines is their values joined by ", "
    (RFC 9110, 5.3), whichever library read it: a repeated Content-Encoding is applied in order, and a
    repeated used-weight or Retry-After header is not one number, so it is not trusted. Set-Cookie, which
    cannot be joined so, is joined all the same, as httpx's `Headers.items()` does: nothing reads it."""
    fields: dict[str, str] = {}
    for name, value in lines:
        key = name.lower()
        fields[key] = f"{fields[key]}, {value}" if key in fields else value
    return fields


def cut_short(error: BaseException) -> str:
    """Why a body could not be read whole (cut short, too slow)."""
    return f"the body could not be read whole ({type(error).__name__}: {error})"


def read_body(
    chunks: Iterable[bytes], max_bytes: int, close: Callable[[], object]
) -> tuple[bytes, str | None]:
    """The body of `chunks`, read up to `max_bytes` (no further: the connection is dropped), then `close()`:
    (the body, None) when it is whole, else (b"", why not: too large, cut short, too slow)."""
    kept: list[bytes] = []
    size = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                return b"", _too_large(max_bytes)
            kept.append(chunk)
    except Exception as error:
        return b"", cut_short(error)
    finally:
        close()
    return b"".join(kept), None


async def aread_body(chunks: AsyncIterable[bytes], max_bytes: int) -> tuple[bytes, str | None]:
    """`read_body` of an async stream, which the caller closes; its errors propagate (a deadline's too)."""
    kept: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            return b"", _too_large(max_bytes)
        kept.append(chunk)
    return b"".join(kept), None


def _too_large(max_bytes: int) -> str:
    return f"the body is larger than {max_bytes} bytes"
