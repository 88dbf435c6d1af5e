"""The call engine: one call of an operation, from its arguments to its outcome, with no I/O of its own.

Every way in (BinanceClient sync and async, the generated functions on `client.api`, the CLI) runs
`Engine.call(...)`: a generator of steps that a thin driver (`_drive.py`) carries out (`Send` a request,
answered with an `Answer` or a `TransportFailure`, never an exception; `Sleep`; `Offload` a shared-storage
operation). Every decision is made here, once, for sync and async alike: validate, sync the clock, take
the 6-hour guard, reserve weight, sign, send, feed the budget back, resend once on -1021, classify, keep
or hand back the guard, retry what may be retried, and record the call (ARCHITECTURE.md lists the steps).
A storage failure before sending is a `BinanceStorageError` (nothing was sent); after sending it is
logged and marked on the record, and never hides the answer.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Generator, Mapping
from functools import partial
from typing import Any, Final, TypeVar
from urllib.parse import unquote

import attrs
from binance_margin_api.spec_metadata import (
    API_FAMILIES,
    OPERATIONS,
    SIGNING,
    OncePerInterval,
    Operation,
)

from ._budget import Bucket, Budget, Reservation
from ._cooldown import Claim, Cooldown, once_rule
from ._credentials import Credentials
from ._encoding import encode_pairs, percent_encode, sign_payload
from ._errors import (
    BinanceAPIError,
    BinanceConfigError,
    BinanceMarginError,
    BinanceServerError,
    BinanceStorageError,
    BinanceTransportError,
    BinanceWaitRefused,
)
from ._observe import BucketUsage, CallRecord, Observer, logger
from ._responses import MAX_RETRY_AFTER_SECONDS, body_or_problem, classify, json_object, retry_after_seconds
from ._retry import RetryPolicy, may_retry
from ._routing import Routes
from ._timesync import Clock, ServerClock
from ._validation import validate
from ._version import USER_AGENT
from ._wire import Answer, Origin, Reply, TransportFailure, WireRequest, client_closed

T = TypeVar("T")
_log: Final = logger.getChild("engine")
_TIMESTAMP_ERROR: Final = -1021
# A server time outside these years (ms) is junk, not a clock to follow: it would break the dates of
# timestamps, windows and the guard.
_SERVER_TIME_MS: Final = range(946_684_800_000, 32_503_680_000_000)  # 2000-01-01 to 3000-01-01
_BANNED_UNTIL: Final = re.compile(rb"until (\d{12,})")
_SIGNATURE_PREFIX: Final = f"&{percent_encode(SIGNING.signature_parameter)}="  # the query's last pair


# The step and result types are made on every call: not frozen (attrs' frozen __init__ costs about 3x),
# and never changed.
@attrs.define(slots=True)
class Send:
    """Send `request`; the flow receives its `Answer` or `TransportFailure`."""

    request: WireRequest


@attrs.define(slots=True)
class Sleep:
    """Wait `seconds` on the client's clock."""

    seconds: float


@attrs.define(slots=True)
class Offload:
    """Run a shared-storage operation; the flow receives its result (or its exception)."""

    action: Callable[[], Any]


Flow = Generator[Send | Sleep | Offload, Any, T]  # a call's steps; sent a step's result, returns T


@attrs.define(slots=True)
class CallOptions:
    """How long a call may wait for a weight budget: `wait=False` refuses at once, else up to `max_wait` s."""

    wait: bool
    max_wait: float


@attrs.define(slots=True)
class Result:
    """A successful call: the operation's models (None for a documented empty body) and the answer."""

    value: Any
    answer: Answer
    body: bytes  # the body with its Content-Encoding undone


@attrs.define(slots=True)
class _Call:
    """One call: what it is, and what it has done so far (its record is built from this, once)."""

    operation: Operation
    options: CallOptions
    started_ms: float
    # Both found before the first attempt.
    origin: Origin = attrs.field(init=False)
    pairs: list[tuple[str, str]] = attrs.field(init=False)
    attempt: int = 0
    requests: int = 0
    waited: float = 0.0
    status: int | None = None
    # The operation's request may have executed: it went out, and no answer has said it did not. An
    # interruption (a cancelled task, Ctrl-C) keeps the guard and records "unknown" for a POST then.
    executing: bool = False
    reached: bool = False  # an operation request of this call was answered, or may have reached the server
    # Its success answer came: it executed, whatever interrupts the call after (settling the guard).
    succeeded: bool = False
    storage_failed: bool = False
    # bucket -> (its Bucket, used weight, from the server?): made into BucketUsage only for a record
    usages: dict[str, tuple[Bucket, int, bool]] = attrs.field(factory=dict)


def _header_int(value: str | None) -> int | None:
    # ASCII digits only: int() would also take "1_2000", " +12000 " or other scripts' digits. At most 18
    # of them: a longer number is junk that no shared counter (Redis: 64-bit) could hold.
    if value is None or len(value) > 18 or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def _nothing_sent(call: _Call) -> str:
    """How a refusal before sending ends: what this call had sent so far."""
    return "; it was not sent again" if call.reached else "; nothing was sent"


def _may_have_executed(error: BaseException) -> bool:
    """Whether a failed call may have executed all the same (its guard must be kept)."""
    return isinstance(error, BinanceAPIError | BinanceTransportError) and error.outcome_unknown


# attrs writes the keyword-only __init__ (a private field `_x` is given as `x`); no repr or eq: one engine
# per client, holding its credentials.
@attrs.define(kw_only=True, repr=False, eq=False)
class Engine:
    """Runs calls of the spec's operations for one client (see the module docstring)."""

    _credentials: Credentials
    _routes: Routes
    _recv_window: int
    _timeout: float
    _budget: Budget
    _server_clock: ServerClock
    _cooldown: Cooldown
    _observer: Observer
    _retry: RetryPolicy
    _retry_not_executed_posts: bool
    _rng: random.Random
    _max_bytes: int = attrs.field(alias="max_response_bytes")
    _signed_tail: str = attrs.field(init=False)
    _clock: Clock = attrs.field(init=False)
    _headers: dict[tuple[str, str, bool], tuple[tuple[str, str], ...]] = attrs.field(init=False, factory=dict)
    closed: bool = attrs.field(init=False, default=False)

    def __attrs_post_init__(self) -> None:
        # The signed parameters every request ends with, encoded once: recvWindow, then the timestamp.
        self._signed_tail = (
            f"{percent_encode(SIGNING.recv_window_parameter)}={self._recv_window}"
            f"&{percent_encode(SIGNING.timestamp_parameter)}="
        )
        self._clock = self._server_clock.clock

    def close(self) -> None:
        """Refuse every later call: it raises `BinanceConfigError` and is recorded as not sent."""
        self.closed = True

    # -- one call ---------------------------------------------------------------------------------------

    def call(
        self,
        operation_id: str,
        arguments: Mapping[str, object],
        options: CallOptions,
        *,
        refused: BinanceConfigError | None = None,
    ) -> Flow[Result]:
        """The call's steps; returns its `Result` or raises its typed error (after recording it).
        `refused`: why the client cannot send it (nothing is sent, and it is recorded)."""
        operation = OPERATIONS[operation_id]
        call = _Call(operation, options, self._clock.wall_ms())
        rule = once_rule(operation)
        try:
            if self.closed:
                raise client_closed()
            if refused is not None:
                raise refused
            call.pairs = validate(operation, arguments)
            call.origin = self._routes.origin(operation.family)
            while True:  # attempts
                call.attempt += 1
                try:
                    result = yield from (self._request(call) if rule is None else self._guarded(call, rule))
                    break
                except (BinanceServerError, BinanceTransportError) as error:
                    yield Sleep(self._retry_delay(call, error))
        except BaseException as error:  # a typed error, or cancelled, interrupted, the flow abandoned
            self._record(call, error)
            raise
        self._record(call, None)
        return result

    def _retry_delay(self, call: _Call, error: BinanceServerError | BinanceTransportError) -> float:
        """The backoff before the next attempt; re-raises `error` when it may not be retried."""
        method = call.operation.method
        if call.attempt >= self._retry.attempts or not may_retry(
            method, error.outcome_unknown, retry_not_executed_posts=self._retry_not_executed_posts
        ):
            raise error
        delay = self._retry.delay(call.attempt, self._rng)
        _log.warning(
            "%s: attempt %d failed (%s); retrying in %.3f s",
            call.operation.operation_id,
            call.attempt,
            type(error).__name__,
            delay,
        )
        return delay

    def _guarded(self, call: _Call, rule: OncePerInterval) -> Flow[Result]:
        """`_request` holding the once-per-interval guard: kept if the call may have executed."""
        due = self._server_clock.due(call.operation.family)
        if due:  # the guard's times are server times too
            yield from self._sync_time(call)
        now = self._server_clock.now_ms(call.operation.family)
        # How long the guard may stay taken while this attempt runs: each of its requests (time sync, the
        # request, the -1021 resync and resend) within the timeout, and its budget waits.
        claim_seconds = int(4 * self._timeout + 2 * call.options.max_wait + 60)
        claim: Claim = yield from self._before_sending(
            call, partial(self._cooldown.claim, call.operation, rule, now, claim_seconds)
        )
        try:
            # `sync=not due`: a sync that just ran (and maybe failed) is not tried twice.
            result = yield from self._request(call, sync=not due, claim=claim)
        except GeneratorExit:  # the flow abandoned: no more steps may run, so it is settled in place
            self._settle_now(call, claim, executed=call.executing)
            raise
        except BaseException as error:
            # A typed error, or an interruption (cancelled, Ctrl-C): settled as a step all the same, so
            # that async code does not block its event loop on the storage.
            executed = _may_have_executed(error) if isinstance(error, BinanceMarginError) else call.executing
            yield from self._settle(call, claim, executed=executed)
            raise
        yield from self._settle(call, claim, executed=True)
        return result

    def _request(self, call: _Call, *, sync: bool = True, claim: Claim | None = None) -> Flow[Result]:
        """Sync the time if due, reserve, sign, send (and resend once on -1021), classify the answer.
        `claim`: the guard the call holds, checked again on the clock a -1021 corrected."""
        operation = call.operation
        if sync and self._server_clock.due(operation.family):
            yield from self._sync_time(call)
        bucket = self._budget.for_operation(operation.operation_id)
        resent = False
        while True:
            reservation = yield from self._reserve(call, bucket, operation.weight, operation.operation_id)
            request = self._signed(call)
            call.status = None  # each request's own answer (a resend's is not the -1021's)
            call.executing = True  # from here on the request may reach the server
            reply = yield from self._exchange(call, request, reservation)
            if isinstance(reply, TransportFailure):
                call.executing = reply.sent
                call.reached = call.reached or reply.sent
                raise BinanceTransportError(
                    f"{reply.kind}: {reply.message}" if reply.message else reply.kind,
                    operation=operation.operation_id,
                    outcome_unknown=reply.sent and operation.method != "GET",
                )
            call.reached = True
            call.status = reply.status
            body, problem = body_or_problem(reply, self._max_bytes)
            query = request.target.partition("?")[2]
            signature = query.rpartition(_SIGNATURE_PREFIX)[2]
            # An echo may quote a base64 (RSA, Ed25519) signature percent-decoded.
            hidden = (query, signature, unquote(signature), self._credentials.api_key)
            try:
                value = classify(reply, body, problem, operation, wall_ms=self._clock.wall_ms, hidden=hidden)
                assert body is not None  # classify raised otherwise
                call.succeeded = True
                return Result(value, reply, body)
            except BinanceAPIError as error:
                call.executing = error.outcome_unknown
                # Binance answers -1021 with HTTP 400; the code under any other status is not this refusal.
                if resent or error.status != 400 or error.code != _TIMESTAMP_ERROR:
                    raise
            # -1021: the timestamp was outside recvWindow, nothing executed: resync, re-sign, resend once.
            resent = True
            _log.warning(
                "%s %s: -1021 (timestamp outside recvWindow); resyncing server time and resending once",
                operation.method,
                operation.path,
            )
            yield from self._sync_time(call)
            if claim is not None:  # the guard was taken on the clock the server just refused
                now = self._server_clock.now_ms(operation.family)
                yield from self._before_sending(
                    call, partial(self._cooldown.check_again, claim, now, _nothing_sent(call))
                )

    # -- requests ---------------------------------------------------------------------------------------

    def _wire_request(self, origin: Origin, method: str, target: str, *, signed: bool) -> WireRequest:
        key = (origin.netloc, method, signed)
        headers = self._headers.get(key)
        if headers is None:
            found = [
                ("Host", origin.netloc),
                ("User-Agent", USER_AGENT),
                ("Accept", "application/json"),
                # Small JSON answers: compressing them saves nothing worth the CPU on either side.
                ("Accept-Encoding", "identity"),
            ]
            if signed:
                found.append((SIGNING.api_key_header, self._credentials.api_key))
            if method != "GET":
                found.append(("Content-Length", "0"))
            headers = self._headers[key] = tuple(found)
        return WireRequest(
            method=method, origin=origin, target=target, headers=headers, timeout=self._timeout
        )

    def _signed(self, call: _Call) -> WireRequest:
        operation, origin = call.operation, call.origin
        timestamp = str(int(self._server_clock.now_ms(call.operation.family)))
        business = encode_pairs(call.pairs)
        payload = f"{business}&{self._signed_tail}{timestamp}" if business else self._signed_tail + timestamp
        try:
            query = sign_payload(payload, self._credentials, _SIGNATURE_PREFIX)
        except Exception as error:  # a caller's own Credentials; its message could quote key material
            raise BinanceConfigError(
                f"the credentials could not sign the request ({type(error).__name__}){_nothing_sent(call)}"
            ) from None
        return self._wire_request(
            origin, operation.method, f"{origin.base_path}{operation.path}?{query}", signed=True
        )

    def _exchange(self, call: _Call, request: WireRequest, reservation: Reservation) -> Flow[Reply]:
        """Send one request; feed the used-weight header, 429 and 418 of its answer into the budget."""
        call.requests += 1
        try:
            reply: Reply = yield Send(request)
        except BaseException:
            # Interrupted (cancelled, Ctrl-C) before a reply: the operation's request may have executed
            # only if the sender had begun to send it.
            call.executing = call.executing and request.sent
            raise
        if isinstance(reply, TransportFailure):
            return reply
        usage: tuple[Bucket, int, bool] = yield from self._after_sending(
            call,
            partial(self._observe_answer, reply, reservation),
            (reservation.bucket, reservation.count, False),
        )
        call.usages[usage[0].name] = usage
        return reply

    def _observe_answer(self, answer: Answer, reservation: Reservation) -> tuple[Bucket, int, bool]:
        bucket = reservation.bucket
        if answer.status in (429, 418):  # first: it holds in this process even if the storage then fails
            self._block(answer, reservation)
        server_used = _header_int(answer.headers.get(bucket.header))
        used = self._budget.observe(reservation, server_used)
        return bucket, used, server_used is not None

    def _block(self, answer: Answer, reservation: Reservation) -> None:
        bucket = reservation.bucket
        now = self._server_clock.now_ms(bucket.family)
        retry_after = retry_after_seconds(answer.headers.get("retry-after"), self._clock.wall_ms())
        until = now + retry_after * 1000 if retry_after is not None else 0.0
        banned = answer.status == 418
        if banned:
            match = _BANNED_UNTIL.search(body_or_problem(answer, self._max_bytes)[0] or b"")
            if match is not None:  # the ban's end, at most as far off as the longest Retry-After taken
                until = max(until, min(float(match.group(1)), now + MAX_RETRY_AFTER_SECONDS * 1000))
        if until <= now:  # no usable Retry-After: the rest of the window the answer came in (a later one
            # than the reservation's when it came after a window's end)
            window = max(reservation.window, int(now // bucket.window_ms))
            until = (window + 1) * bucket.window_ms + bucket.guard_ms
        self._budget.block(bucket, until, now, family_wide=banned)
        _log.warning(
            "%s -> %d: %s blocked for %.1f s (no request is sent on it meanwhile)",
            bucket.name,
            answer.status,
            f"the {bucket.family} family" if banned else bucket.name,
            (until - now) / 1000,
        )

    def _sync_time(self, call: _Call) -> Flow[None]:
        """Measure the server-time offset of the call's family (round-trip corrected). A failed sync is
        logged and the call goes on with the offset it had; so is one its bucket cannot take now (it is
        not waited for: a 429 on the time endpoint must not stop the calls)."""
        family = call.operation.family
        time = API_FAMILIES[family].server_time
        bucket = self._budget.for_time(family)
        try:
            reservation = yield from self._reserve(
                call, bucket, time.weight, f"serverTime:{family}", wait=False
            )
        except BinanceWaitRefused as refused:
            _log.warning("server time (%s) sync skipped: %s; keeping the last offset", family, refused)
            return
        # The call's origin serves its family's server-time endpoint too.
        request = self._wire_request(call.origin, "GET", call.origin.base_path + time.path, signed=False)
        sent = self._clock.wall_ms()
        reply = yield from self._exchange(call, request, reservation)
        received = self._clock.wall_ms()
        server_time: object = None
        if isinstance(reply, Answer) and reply.status == 200:
            server_time = json_object(body_or_problem(reply, self._max_bytes)[0]).get("serverTime")
        if type(server_time) is int and server_time in _SERVER_TIME_MS:
            offset = self._server_clock.update(family, float(server_time), sent, received)
            _log.info(
                "server time (%s): offset %+.1f ms, round trip %.1f ms", family, offset, received - sent
            )
        else:
            what = f"HTTP {reply.status}" if isinstance(reply, Answer) else reply.kind
            _log.warning("server time (%s) sync failed: %s; keeping the last offset", family, what)

    # -- budgets and storage ----------------------------------------------------------------------------

    def _reserve(
        self, call: _Call, bucket: Bucket, weight: int, name: str, *, wait: bool = True
    ) -> Flow[Reservation]:
        options = call.options
        while True:
            now = self._server_clock.now_ms(bucket.family)
            result = yield from self._before_sending(call, partial(self._budget.reserve, bucket, weight, now))
            if isinstance(result, Reservation):
                return result
            seconds = max(result.seconds, 0.001)
            if not (wait and options.wait) or call.waited + seconds > options.max_wait:
                raise BinanceWaitRefused(
                    f"{name}: {result.reason}; the call would wait {seconds:.3f} s"
                    + (f" (max_wait {options.max_wait} s)" if options.wait else " (wait=False)")
                    + _nothing_sent(call),
                    retry_after=seconds,
                )
            _log.debug("%s: waiting %.3f s: %s", name, seconds, result.reason)
            yield Sleep(seconds)
            call.waited += seconds

    def _before_sending(self, call: _Call, action: Callable[[], T]) -> Flow[T]:
        """A storage operation before sending: its BinanceStorageError means nothing (more) was sent.
        Private (memory) storage runs in place; shared storage is offloaded (off the event loop in async
        code)."""
        if not self._budget.shared:
            return action()
        try:
            result: T = yield Offload(action)
        except BinanceStorageError as error:
            raise BinanceStorageError(f"{error}{_nothing_sent(call)}") from None
        return result

    def _after_sending(self, call: _Call, action: Callable[[], T], fallback: T) -> Flow[T]:
        """A storage operation after sending: a failure must not hide the answer; it is logged, marked on
        the record, and `fallback` stands in for the result."""
        if not self._budget.shared:
            return action()
        try:
            result: T = yield Offload(action)
            return result
        except BinanceStorageError as error:
            call.storage_failed = True
            _log.error("after sending: %s; the answer is kept, the storage is not updated", error)
            return fallback

    def _settling(self, claim: Claim, executed: bool) -> Callable[[], int | None]:
        """Keep the guard (the call may have executed) or hand it back."""
        if executed:
            return partial(self._cooldown.keep, claim, self._server_clock.now_ms(claim.operation.family))
        return partial(self._cooldown.release, claim)

    def _settle(self, call: _Call, claim: Claim, *, executed: bool) -> Flow[None]:
        try:
            until = yield from self._after_sending(call, self._settling(claim, executed), None)
        except BaseException:  # interrupted while settling: settled in place
            self._settle_now(call, claim, executed=executed)
            raise
        if until is not None:  # kept (and recorded)
            _log.info(
                "%s: once-per-interval guard kept until server time %d", claim.operation.operation_id, until
            )

    def _settle_now(self, call: _Call, claim: Claim, *, executed: bool) -> None:
        try:
            self._settling(claim, executed)()
        except BinanceStorageError as error:
            call.storage_failed = True
            _log.error("after an interruption: %s", error)

    # -- the record -------------------------------------------------------------------------------------

    def _record(self, call: _Call, error: BaseException | None) -> None:
        operation = call.operation
        if error is None or call.succeeded:  # an interruption after the success answer: it executed
            outcome = "ok"
        elif _may_have_executed(error) or (
            not isinstance(error, BinanceMarginError) and call.executing and operation.method != "GET"
        ):
            outcome = "unknown"
        elif isinstance(error, BinanceAPIError) or call.reached or call.executing:
            outcome = "error"  # the server answered (or the request may have reached it): nothing executed
        else:
            outcome = "not-sent"
        duration = self._clock.wall_ms() - call.started_ms
        offset = self._server_clock.offset_ms(operation.family)

        def build() -> CallRecord:
            return CallRecord(
                operation=operation.operation_id,
                method=operation.method,
                path=operation.path,
                family=operation.family,
                status=call.status,
                code=error.code if isinstance(error, BinanceAPIError) else None,
                outcome=outcome,
                weight=operation.weight,
                buckets=tuple(
                    BucketUsage(bucket.name, bucket.rate_limit.name, used, bucket.limit, from_server)
                    for bucket, used, from_server in call.usages.values()
                ),
                attempt=call.attempt,
                requests=call.requests,
                waited_seconds=call.waited,
                duration_ms=duration,
                time_offset_ms=offset,
                error=type(error).__name__ if error is not None else None,
                storage_failed=call.storage_failed,
            )

        self._observer.emit(outcome, build)
