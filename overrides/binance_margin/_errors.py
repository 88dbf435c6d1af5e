"""The exceptions binance_margin raises. Every failure is a BinanceMarginError; none carries a secret."""

from __future__ import annotations

import attrs

_UNKNOWN = " (outcome unknown: the request may have been executed; not resent)"


class BinanceMarginError(Exception):
    """Base class of every error binance_margin raises."""


class BinanceConfigError(BinanceMarginError, ValueError):
    """The client is misconfigured (credentials, URLs, recvWindow)."""


class BinanceValidationError(BinanceMarginError, ValueError):
    """The call breaks a documented rule; nothing was sent.

    `operation` is the spec's operationId, `parameter` the offending parameter (if any), and `rule` the
    rule's text (the docs' wording where the spec carries it).
    """

    def __init__(self, operation: str, message: str, *, parameter: str | None = None, rule: str = "") -> None:
        self.operation = operation
        self.parameter = parameter
        self.rule = rule
        super().__init__(
            f"{operation}: {message}" + (f" (rule: {rule})" if rule else "") + "; nothing was sent"
        )


# attrs writes the keyword-only __init__ only: args (the message), repr, equality and hash stay those of
# an exception (auto_exc would put every field in args), and the fields stay in the instance's __dict__.
@attrs.define(slots=False, kw_only=True, auto_exc=False, eq=False, repr=False)
class BinanceAPIError(BinanceMarginError):
    """Binance answered with an error.

    `status` is the HTTP status, `code` and `message` Binance's error body (code is None when the body was
    not a Binance error), `family` the API family (`sapi`, `fapi`, ...) whose table gives the code its
    meaning, `meaning` that table's entry, and `outcome_unknown` True when the request may have been
    executed all the same (5xx): such a POST must not be resent blindly.
    """

    status: int
    code: int | None
    message: str
    family: str
    operation: str | None
    meaning: str | None = None
    outcome_unknown: bool = False
    retry_after: float | None = None

    def __attrs_post_init__(self) -> None:
        code = f" code {self.code}" if self.code is not None else ""
        text = f"{self.operation or self.family}: HTTP {self.status}{code}: {self.message}"
        super().__init__(text + (_UNKNOWN if self.outcome_unknown else ""))


class BinanceRateLimitError(BinanceAPIError):
    """429: a rate limit was exceeded; `retry_after` seconds until the bucket may be used again."""


class BinanceIPBannedError(BinanceAPIError):
    """418: the IP is banned for repeated rate-limit violations; `retry_after` seconds until the ban ends."""


class BinanceServerError(BinanceAPIError):
    """5xx: Binance failed; `outcome_unknown` says whether the request may have been executed."""


class BinanceResponseError(BinanceAPIError):
    """An answer the spec does not describe: an undocumented status or a body that does not parse."""


class BinanceTransportError(BinanceMarginError):
    """The request did not get an answer (connection refused, reset, timeout).

    `outcome_unknown` is True when the request may have reached Binance (it was sent, then the connection
    failed or timed out) and False when it provably was not sent (connection refused, connect timeout).
    """

    def __init__(self, message: str, *, operation: str | None, outcome_unknown: bool) -> None:
        self.operation = operation
        self.outcome_unknown = outcome_unknown
        super().__init__(f"{operation or 'request'}: {message}" + (_UNKNOWN if outcome_unknown else ""))


class BinanceWaitRefused(BinanceMarginError):
    """A weight budget or guard would make the call wait, and the caller asked not to wait."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class BinanceCooldownError(BinanceWaitRefused):
    """A once-per-interval rule (the small liability exchange's "once within 6 hours") forbids the call now.

    `next_allowed_ms` is the server time (ms since the epoch) from which the call is allowed again,
    `retry_after` the seconds until then. Nothing was sent.
    """

    def __init__(self, message: str, *, retry_after: float, next_allowed_ms: int) -> None:
        self.next_allowed_ms = next_allowed_ms
        super().__init__(message, retry_after=retry_after)


class BinanceStorageError(BinanceMarginError):
    """The shared weight-budget storage (e.g. Redis) failed; nothing was sent."""
