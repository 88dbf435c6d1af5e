"""Reading an answer: undo its Content-Encoding within a size cap, parse its JSON exactly, and turn it into
the operation's models or the typed error it stands for. No I/O: the engine calls these on an `Answer`.

The generated models check what they are given: their `from_dict` refuses a value of another JSON type
than the spec's (the generator's exact-models step), so a body with `"asset": 1` is not a model.
"""

from __future__ import annotations

import json
import math
import sys
import zlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from binance_margin_api import models
from binance_margin_api.spec_metadata import API_FAMILIES, IP_BANS, Operation, ResponseShape, error_meaning

from ._errors import (
    BinanceAPIError,
    BinanceIPBannedError,
    BinanceRateLimitError,
    BinanceResponseError,
    BinanceServerError,
)
from ._wire import Answer

_EXCERPT: Final = 200
# No block is longer than Binance's longest IP ban: a longer (or not finite) Retry-After is junk.
MAX_RETRY_AFTER_SECONDS: Final = float(IP_BANS.longest_seconds)
# What a body may decode to before parsing gives up: a JSON nesting this deep is hostile, not Binance.
_JSON_ERRORS: Final = (ValueError, RecursionError)
# What a generated from_dict raises on a value of the wrong shape (Decimal's InvalidOperation included).
_FROM_DICT_ERRORS: Final = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError)


class ModelError(Exception):
    """The JSON value is not the documented response."""


class _ErrorObject(Exception):
    """A 2xx whose body is Binance's error object (a negative `code` and a `msg`): Binance's error, whatever
    the status says (ccxt reads such answers the same way); `classify` tells a refusal by its code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(code, message)
        self.code, self.message = code, message


def _hidden(text: str, hidden: tuple[str, ...]) -> str:
    # A page or proxy that echoes the request would put the signed query or the API key in the message.
    for secret in hidden:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


def _excerpt(content: bytes, hidden: tuple[str, ...]) -> str:
    # Redacted before it is cut, so no part of an echoed secret is left at the cut.
    text = _hidden(content.decode("utf-8", errors="replace"), hidden).strip()
    return (text[:_EXCERPT] + "…" if len(text) > _EXCERPT else text) or "<empty body>"


def body_or_problem(answer: Answer, max_bytes: int) -> tuple[bytes | None, str | None]:
    """The body with its Content-Encoding (identity, gzip, deflate; in any sequence) undone, at most
    `max_bytes` long, and None; or None and why the body cannot be read: an unknown or broken
    Content-Encoding, or it decodes past the cap. A decompression bomb stops at the cap."""
    if answer.body_error is not None:
        return None, answer.body_error
    encoding = answer.headers.get("content-encoding")
    if not encoding:
        return answer.body, None
    body = answer.body
    codings = [part.strip() for part in encoding.lower().split(",")]
    for coding in reversed([coding for coding in codings if coding not in ("", "identity")]):
        if coding not in ("gzip", "x-gzip", "deflate"):
            return None, f"unsupported Content-Encoding {coding!r}"
        # gzip: gzip header (wbits 16+); deflate: zlib-wrapped as RFC 9110 says, raw deflate as many
        # servers send.
        for wbits in (zlib.MAX_WBITS | 16,) if coding != "deflate" else (zlib.MAX_WBITS, -zlib.MAX_WBITS):
            inflater = zlib.decompressobj(wbits)
            try:
                # zlib takes a C size: a cap as large as sys.maxsize ("no cap") would overflow it.
                out = inflater.decompress(body, min(max_bytes + 1, sys.maxsize))
                if len(out) <= max_bytes and not inflater.unconsumed_tail:
                    out += inflater.flush()
                break
            except zlib.error as error:
                failure = error  # the last one is reported
        else:
            return None, f"the {coding} body does not decode ({failure})"
        if len(out) > max_bytes or inflater.unconsumed_tail:
            return None, f"the {coding} body decodes to more than {max_bytes} bytes"
        if not inflater.eof:
            return None, f"the {coding} body is cut short"
        body = out
    return body, None


# One decoder for every answer: json.loads with an option builds a new JSONDecoder on each call.
_DECODER: Final = json.JSONDecoder(parse_float=Decimal)


def parse_json(body: bytes) -> Any:
    """The UTF-8 JSON value of `body`, numbers with a fraction as Decimal (the exact digits, no float
    between). ValueError (UnicodeDecodeError and JSONDecodeError are ValueErrors) or RecursionError."""
    return _DECODER.decode(body.decode("utf-8"))


def json_object(body: bytes | None) -> dict[str, Any]:
    """The body as a JSON object; an empty one when there is no body or it is not an object (or not JSON)."""
    try:
        value = parse_json(body) if body is not None else None
    except _JSON_ERRORS:
        return {}
    return value if isinstance(value, dict) else {}


def binance_code(body: bytes | None) -> tuple[int | None, str | None]:
    """Binance's `{"code": int, "msg": str}` of an error body, or (None, None)."""
    return _code_and_message(json_object(body))


def _code_and_message(value: Any) -> tuple[int | None, str | None]:
    """Binance's `{"code": int, "msg": str}` in a parsed JSON value, or (None, None)."""
    if isinstance(value, dict):
        code, message = value.get("code"), value.get("msg")
        if type(code) is int and isinstance(message, str):
            return code, message
    return None, None


def retry_after_seconds(value: str | None, now_wall_ms: float) -> float | None:
    """A Retry-After header as seconds: delta-seconds or an HTTP-date; None when missing or junk
    (negative, not finite, longer than Binance's longest ban, unparseable)."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        import email.utils  # an HTTP-date (rare): its parser's imports only then

        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT; a date without a zone is junk
            return None
        seconds = max(0.0, when.timestamp() - now_wall_ms / 1000)
    if not math.isfinite(seconds) or seconds < 0 or seconds > MAX_RETRY_AFTER_SECONDS:
        return None
    return seconds


def _error(
    kind: type[BinanceAPIError],
    answer: Answer,
    operation: Operation,
    body: bytes | None,
    code: int | None,
    message: str | None,
    hidden: tuple[str, ...],
    **extra: Any,
) -> BinanceAPIError:
    return kind(
        status=answer.status,
        code=code,
        message=_hidden(message, hidden) if message is not None else _excerpt(body or b"", hidden),
        family=operation.family,
        operation=operation.operation_id,
        meaning=error_meaning(operation.family, code) if code is not None else None,
        **extra,
    )


def classify(
    answer: Answer,
    body: bytes | None,
    problem: str | None,
    operation: Operation,
    *,
    wall_ms: Callable[[], float],
    hidden: tuple[str, ...] = (),
) -> Any:
    """The operation's parsed result for a documented success; otherwise raise the typed error.

    `body` and `problem` are `body_or_problem`'s: the decoded body, or None and what kept it from being read.
    What an answer says about execution: a success executed; a 5xx may have (unless its message says it
    did not); any other status did not, nor did a 2xx whose body is Binance's error object (a
    BinanceAPIError with that status and code), unless its code is one whose execution status is unknown:
    whatever the status, such a code is a BinanceServerError, as for a 5xx. An unreadable body on a 2xx
    is a BinanceResponseError whose outcome is unknown for a POST (it executed, whatever the bytes), and
    so is a 1xx that an HTTP library took for the final answer (aiohttp does with 101): the real answer
    never came. The texts in `hidden` (the signed query, the API key) never appear in an error's message.
    """
    status = answer.status
    may_have_executed = operation.method != "GET"
    family = API_FAMILIES[operation.family]
    if status < 300:
        try:
            if body is not None and status in operation.statuses:
                return _parsed(operation, body)
            reason = problem or f"HTTP {status} is not a documented success ({_excerpt(body or b'', hidden)})"
        except _ErrorObject as error_object:
            # A code whose execution status is unknown (the spec's list) is a server error whatever the
            # status; any other code is Binance's refusal.
            unknown = error_object.code in family.unknown_outcome_codes
            raise _error(
                BinanceServerError if unknown else BinanceAPIError,
                answer,
                operation,
                body,
                error_object.code,
                error_object.message,
                hidden,
                outcome_unknown=may_have_executed and unknown,
            ) from None
        except (ModelError, *_JSON_ERRORS) as error:
            reason = f"the body is not the documented response: {error}"
        kind: type[BinanceAPIError] = BinanceResponseError
        raise _error(kind, answer, operation, body, None, reason, hidden, outcome_unknown=may_have_executed)
    code, message = binance_code(body)
    if body is None:  # unreadable (too large, cut short, a broken encoding): say so, not "<empty body>"
        message = f"the body could not be read: {problem}"
    if status in (429, 418):
        retry_after = retry_after_seconds(answer.headers.get("retry-after"), wall_ms())
        kind = BinanceRateLimitError if status == 429 else BinanceIPBannedError
        raise _error(kind, answer, operation, body, code, message, hidden, retry_after=retry_after)
    if status >= 500 or code in family.unknown_outcome_codes:  # such a code: whatever the status
        unknown = may_have_executed and message not in family.not_executed_messages
        kind = BinanceServerError
        raise _error(kind, answer, operation, body, code, message, hidden, outcome_unknown=unknown)
    documented = status in operation.statuses and code is not None
    kind = BinanceAPIError if documented else BinanceResponseError
    raise _error(kind, answer, operation, body, code, message, hidden)


def _parsed(operation: Operation, body: bytes) -> Any:
    # A documented empty body (the spec's `x-binance-empty-body` forms); for such an operation any other
    # JSON is accepted too (it executed), junk is not, and Binance's error object is its error.
    if operation.response is None and body.strip().decode("utf-8", "replace") in (operation.empty_body or ()):
        return None
    value = parse_json(body)
    code, message = _code_and_message(value)
    if code is not None and message is not None and code < 0:
        raise _ErrorObject(code, message)
    return None if operation.response is None else _models(operation.response, value)


def _models(shape: ResponseShape, value: Any) -> Any:
    """One model, or a list of them, as `shape` documents (an object, an array, or either)."""
    model = getattr(models, shape.model)
    if isinstance(value, list) and shape.container in ("array", "object-or-array"):
        return [_model(model, item) for item in value]
    if shape.container in ("object", "object-or-array"):
        return _model(model, value)
    raise ModelError(f"expected an array of {model.__name__}, got {type(value).__name__}")


def _model(model: Any, value: Any) -> Any:
    if not isinstance(value, dict):
        raise ModelError(f"expected a {model.__name__} object, got {type(value).__name__}")
    try:
        return model.from_dict(value)
    except _FROM_DICT_ERRORS as error:
        raise ModelError(f"{model.__name__}: {type(error).__name__}: {error}") from None
