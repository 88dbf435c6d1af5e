"""Turn Binance's error answers into typed exceptions before the generated parser sees them."""

from __future__ import annotations

import json
from typing import Any

import httpx
from binance_margin_api.spec_metadata import ApiFamily, Operation, error_meaning

from ._errors import (
    BinanceAPIError,
    BinanceIPBannedError,
    BinanceRateLimitError,
    BinanceResponseError,
    BinanceServerError,
)

_EXCERPT = 200


def _excerpt(content: bytes) -> str:
    text = content[:_EXCERPT].decode("utf-8", errors="replace").strip()
    return (text + "…" if len(content) > _EXCERPT else text) or "<empty body>"


def json_object(content: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one."""
    try:
        body = json.loads(content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _error_body(content: bytes) -> tuple[int | None, str]:
    """Binance's `{code, msg}` when the body is one, else (None, an excerpt of the body)."""
    body = json_object(content)
    if body is not None and isinstance(body.get("code"), int) and isinstance(body.get("msg"), str):
        return int(body["code"]), str(body["msg"])
    return None, _excerpt(content)


def error_code(response: httpx.Response) -> int | None:
    """The Binance `code` of an error answer (status ≥ 400), if its body has an integer one."""
    if response.status_code < 400:
        return None
    body = json_object(response.content)
    code = body.get("code") if body is not None else None
    return code if isinstance(code, int) else None


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def check_answer(response: httpx.Response, family: ApiFamily, operation: Operation | None) -> None:
    """Raise the typed error for anything but a documented success with a parseable body."""
    status = response.status_code
    name = operation.operation_id if operation else None
    if 200 <= status < 300:
        if operation is not None and operation.empty_body is not None:
            return
        try:
            json.loads(response.content)
        except ValueError:
            raise BinanceResponseError(
                status=status,
                code=None,
                message=f"the body is not JSON: {_excerpt(response.content)}",
                family=family.name,
                operation=name,
            ) from None
        return
    code, message = _error_body(response.content)

    def error(kind: type[BinanceAPIError], **extra: Any) -> BinanceAPIError:
        return kind(
            status=status,
            code=code,
            message=message,
            family=family.name,
            operation=name,
            meaning=error_meaning(family.name, code) if code is not None else None,
            **extra,
        )

    if status == 429:
        raise error(BinanceRateLimitError, retry_after=retry_after_seconds(response))
    if status == 418:
        raise error(BinanceIPBannedError, retry_after=retry_after_seconds(response))
    if status >= 500:
        raise error(BinanceServerError, outcome_unknown=message not in family.not_executed_messages)
    documented = operation is None or status in operation.statuses
    raise error(BinanceAPIError if code is not None and documented else BinanceResponseError)
