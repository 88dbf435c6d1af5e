"""The httpx.Auth that makes every generated call a correct, budgeted Binance call.

One class serves the sync and the async httpx clients (the generated functions use both). The work is
one sans-IO generator, `BinanceAuth.flow`, that yields steps (`Send` a request and receive its answer,
`Sleep` some seconds, `Offload` a budget-storage operation) and is driven by two thin drivers,
`sync_auth_flow` and `async_auth_flow`. For each request the flow:

1. finds the operation in the spec metadata and refuses invalid parameters before anything is sent;
2. refreshes the server-time offset when it is due (`/api/v3/time`, `/fapi/v1/time`, unsigned);
3. checks the once-per-interval guard (small liability exchange);
4. reserves the operation's weight in its bucket, waiting (or refusing) while the bucket is used up or
   blocked by a 429/418;
5. comma-joins `explode: false` arrays, adds timestamp and recvWindow, percent-encodes (RFC 3986), signs
   exactly the bytes it sends and routes the request to its family's host;
6. feeds the used-weight header back into the bucket, blocks it on 429 (Retry-After) / the family on 418;
7. on -1021 resyncs the server time and resends once, re-signed with a fresh timestamp;
8. arms the guard, records the call, and turns error answers into typed exceptions before the generated
   parser sees them.

Connection errors are raised by httpx's transport, outside the auth flow: `BinanceClient` handles them.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Callable, Generator
from functools import partial
from typing import Any, Final, TypeVar
from urllib.parse import parse_qsl

import attrs
import httpx
from binance_margin_api.spec_metadata import SIGNING, ApiFamily, Operation, family_of_path, find_operation

from ._budget import Bucket, Budget, Reservation, Wait, account_label
from ._cooldown import Cooldown, once_rule
from ._credentials import Credentials
from ._encoding import encode_pairs, signed_query
from ._errors import BinanceAPIError, BinanceValidationError, BinanceWaitRefused
from ._observe import BucketUsage, CallRecord, CallState, Observer, current_call, logger
from ._responses import check_answer, error_code, json_object, retry_after_seconds
from ._routing import Routes
from ._timesync import ServerClock, SystemClock
from ._validation import validate

_log: Final = logger.getChild("auth")
T = TypeVar("T")
_TIMESTAMP_ERROR: Final = -1021
_BANNED_UNTIL: Final = re.compile(r"until (\d{12,})")


@attrs.frozen(slots=True)
class Send:
    """Send `request`; the flow receives the response, body read."""

    request: httpx.Request


@attrs.frozen(slots=True)
class Sleep:
    """Wait `seconds` (on the injected clock)."""

    seconds: float


@attrs.frozen(slots=True)
class Offload:
    """Run a budget-storage operation; the flow receives its result. Shared storages run it off the
    event loop in async code."""

    action: Callable[[], Any]


Step = Send | Sleep | Offload
Flow = Generator[Step, Any, None]


def _header_int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _bodiless_request(
    method: str, url: httpx.URL, headers: httpx.Headers, extensions: dict[str, Any]
) -> httpx.Request:
    """`httpx.Request(method, url, headers=headers, extensions=extensions)`, built for a third of its
    cost: given a stream, httpx skips its body encoding and header preparation (~4 µs), so the headers
    that preparation adds for an empty body (Request._prepare) are added here, in the same order."""
    automatic: list[tuple[bytes, bytes]] = []
    if "Host" not in headers and url.host:
        automatic.append((b"Host", url.netloc))
    if (
        method in ("POST", "PUT", "PATCH")
        and "Content-Length" not in headers
        and "Transfer-Encoding" not in headers
    ):
        automatic.append((b"Content-Length", b"0"))
    request = httpx.Request(
        method, url, headers=automatic + headers.raw, extensions=extensions, stream=httpx.ByteStream(b"")
    )
    request.read()
    return request


class BinanceAuth(httpx.Auth):
    """Signs, validates, budgets and routes requests for the operations of the spec.

    `recv_window` is sent with every request (the spec's default unless given). `budget`,
    `server_clock`, `cooldown` and `observer` are the client's production machinery; each defaults to
    a private in-memory one (see `BinanceClient` for the options). `wait` / `max_wait` are the defaults
    for calls made without a per-call state (e.g. through the generated functions directly).
    """

    requires_response_body = True

    def __init__(
        self,
        credentials: Credentials,
        routes: Routes,
        *,
        recv_window: int = SIGNING.recv_window_default,
        budget: Budget | None = None,
        server_clock: ServerClock | None = None,
        cooldown: Cooldown | None = None,
        observer: Observer | None = None,
        wait: bool = True,
        max_wait: float | None = None,
    ) -> None:
        self._credentials = credentials
        self._routes = routes
        self._recv_window = recv_window
        account = account_label(credentials.api_key, None)
        self.budget = budget if budget is not None else Budget("memory://", account=account)
        self.server_clock = (
            server_clock
            if server_clock is not None
            else ServerClock(SystemClock(), enabled=False, interval=300)
        )
        self.cooldown = cooldown if cooldown is not None else Cooldown(self.budget, account)
        self.observer = observer if observer is not None else Observer(None)
        self.wait = wait
        self.max_wait = max_wait

    def __repr__(self) -> str:
        return (
            f"BinanceAuth(credentials={self._credentials!r}, recv_window={self._recv_window}, "
            f"budget={self.budget!r}, server_clock={self.server_clock!r})"
        )

    # -- validation, signing, routing ---------------------------------------------------------------------

    def _locate(
        self, request: httpx.Request
    ) -> tuple[str, ApiFamily, Operation | None, list[tuple[str, str]]]:
        path, family = self._routes.locate(request.url)
        if family is None:
            raise BinanceValidationError(path, "is not a path of the spec")
        raw = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
        return path, family, *self._identify(request.method, path, family, raw)

    @staticmethod
    def _identify(
        method: str, path: str, family: ApiFamily, raw: list[tuple[str, str]]
    ) -> tuple[Operation | None, list[tuple[str, str]]]:
        """The operation of a call (None for a server-time endpoint) and its validated wire pairs."""
        if path == family.server_time.path:
            return None, raw
        operation = find_operation(method, path)
        if operation is None:
            raise BinanceValidationError(f"{method} {path}", "is not an operation of the spec")
        return operation, validate(operation, raw)

    def _sign(
        self, request: httpx.Request, family: ApiFamily, path: str, pairs: list[tuple[str, str]]
    ) -> None:
        """Route `request` with the business `pairs` plus a fresh timestamp, signed; set the key header."""
        signed = [
            *pairs,
            (SIGNING.recv_window_parameter, str(self._recv_window)),
            (SIGNING.timestamp_parameter, str(int(self.server_clock.now_ms(family.name)))),
        ]
        self._route(
            request, family, path, signed_query(signed, self._credentials, SIGNING.signature_parameter)
        )
        request.headers[SIGNING.api_key_header] = self._credentials.api_key

    def _route(self, request: httpx.Request, family: ApiFamily, path: str, query: str) -> None:
        netloc = self._routes.netloc(family.name)
        if netloc != request.url.netloc:
            # The Host header was computed for the primary base; follow the routed URL.
            request.headers["Host"] = netloc.decode("ascii")
        request.url = self._routes.url(family.name, path, query)

    def prepare(self, request: httpx.Request) -> tuple[ApiFamily, Operation | None]:
        """Validate, sign and route `request` in place (no budget, no I/O); return family and operation."""
        path, family, operation, pairs = self._locate(request)
        if operation is None:
            self._route(request, family, path, request.url.query.decode("ascii"))
            request.headers.pop(SIGNING.api_key_header, None)
        else:
            self._sign(request, family, path, pairs)
        return family, operation

    # -- the sans-IO flow ---------------------------------------------------------------------------------

    def flow(self, request: httpx.Request) -> Flow:
        """The whole call as steps (see the module docstring); raises the typed error of a failed call."""
        path, family, operation, pairs = self._locate(request)
        return self._flow(request, path, family, operation, pairs)

    def _flow(
        self,
        request: httpx.Request,
        path: str,
        family: ApiFamily,
        operation: Operation | None,
        pairs: list[tuple[str, str]],
    ) -> Flow:
        clock = self.server_clock.clock
        started = clock.wall_ms()
        state = current_call.get() or CallState(wait=self.wait, max_wait=self.max_wait)
        usages: list[BucketUsage] = []
        waited = 0.0
        requests = 0
        if operation is None:
            # A server-time endpoint called directly: unsigned, budgeted like any other request.
            self._route(request, family, path, request.url.query.decode("ascii"))
            request.headers.pop(SIGNING.api_key_header, None)
            bucket = self.budget.for_time(family.name)
            weight = family.server_time.weight
        else:
            bucket = self.budget.for_operation(operation.operation_id)
            weight = operation.weight
        name = operation.operation_id if operation is not None else f"serverTime:{family.name}"
        rule = once_rule(operation) if operation is not None else None

        if operation is not None and self.server_clock.due(family.name):
            waited += yield from self._sync_time(family, request, state, usages)
            requests += 1
        if rule is not None and operation is not None:
            now = self.server_clock.now_ms(family.name)
            yield from self._storage(partial(self.cooldown.check, operation, rule, now))
        reservation, slept = yield from self._reserve(bucket, weight, state, name)
        waited += slept

        resent = False
        while True:
            if operation is not None:
                self._sign(request, family, path, pairs)
            state.sent = True
            response, usage = yield from self._exchange(request, reservation)
            requests += 1
            if operation is None or resent or error_code(response) != _TIMESTAMP_ERROR:
                break
            # -1021: the timestamp was outside recvWindow, nothing executed: resync, re-sign, resend once.
            resent = True
            usages.append(usage)
            _log.warning(
                "%s %s: -1021 (timestamp outside recvWindow); resyncing server time and resending once",
                request.method,
                path,
            )
            waited += yield from self._sync_time(family, request, state, usages)
            requests += 1
            state.sent = False
            reservation, slept = yield from self._reserve(bucket, weight, state, name)
            waited += slept
            request = httpx.Request(
                request.method,
                request.url,
                headers=request.headers,
                content=request.content,
                extensions=request.extensions,
            )
        usages.append(usage)

        outcome = "ok"
        error: BinanceAPIError | None = None
        try:
            check_answer(response, family, operation)
        except BinanceAPIError as raised:
            error = raised
            outcome = "unknown" if raised.outcome_unknown else "error"
        if rule is not None and operation is not None and outcome in ("ok", "unknown"):
            now = self.server_clock.now_ms(family.name)
            until = yield from self._storage(partial(self.cooldown.arm, operation, rule, now))
            _log.info("%s: once-per-interval guard armed (%s) until server time %d", name, outcome, until)
        self.observer.emit(
            CallRecord(
                operation=name,
                method=request.method,
                path=path,
                family=family.name,
                status=response.status_code,
                code=error.code if error is not None else None,
                outcome=outcome,
                weight=weight,
                buckets=tuple({usage.bucket: usage for usage in usages}.values()),
                attempt=state.attempt,
                requests=requests,
                waited_seconds=waited,
                duration_ms=clock.wall_ms() - started,
                time_offset_ms=self.server_clock.offset_ms(family.name),
            )
        )
        if error is not None:
            raise error

    def _storage(self, action: Callable[[], T]) -> Generator[Step, Any, T]:
        """Run a budget-storage operation: in place for private (memory) storage, as an `Offload` step
        for shared storage (the async driver runs it off the event loop)."""
        if not self.budget.shared:
            return action()
        result: T = yield Offload(action)
        return result

    def _reserve(
        self, bucket: Bucket, weight: int, state: CallState, name: str
    ) -> Generator[Step, Any, tuple[Reservation, float]]:
        waited = 0.0
        while True:
            now = self.server_clock.now_ms(bucket.family)
            result: Reservation | Wait = yield from self._storage(
                partial(self.budget.reserve, bucket, weight, now)
            )
            if isinstance(result, Reservation):
                return result, waited
            seconds = max(result.seconds, 0.001)
            if not state.wait or (state.max_wait is not None and waited + seconds > state.max_wait):
                raise BinanceWaitRefused(
                    f"{name}: {result.reason}; the call would wait {seconds:.3f} s"
                    + (f" (max_wait {state.max_wait} s)" if state.wait else " (wait=False)")
                    + "; nothing was sent",
                    retry_after=seconds,
                )
            _log.debug("%s: waiting %.3f s: %s", name, seconds, result.reason)
            yield Sleep(seconds)
            waited += seconds

    def _exchange(
        self, request: httpx.Request, reservation: Reservation
    ) -> Generator[Step, Any, tuple[httpx.Response, BucketUsage]]:
        """Send one request; feed its used-weight header, 429 and 418 back into the budget."""
        bucket = reservation.bucket
        response: httpx.Response = yield Send(request)
        server_used = _header_int(response.headers.get(bucket.header))
        used: int = yield from self._storage(partial(self.budget.observe, reservation, server_used))
        status = response.status_code
        if status in (429, 418):
            now = self.server_clock.now_ms(bucket.family)
            retry_after = retry_after_seconds(response)
            until = now + retry_after * 1000 if retry_after is not None else 0.0
            if status == 418:
                match = _BANNED_UNTIL.search(response.text)
                if match is not None:
                    until = max(until, float(match.group(1)))
            if until <= now:  # no usable Retry-After: the rest of the window
                until = (reservation.window + 1) * bucket.window_ms + bucket.guard_ms
            yield from self._storage(partial(self.budget.block, bucket, until, family_wide=status == 418))
            _log.warning(
                "%s %s -> %d: %s blocked for %.1f s (no request is sent on it meanwhile)",
                request.method,
                request.url.path,
                status,
                f"the {bucket.family} family" if status == 418 else bucket.name,
                (until - now) / 1000,
            )
        return response, BucketUsage(
            bucket.name, bucket.rate_limit.name, used, bucket.limit, server_used is not None
        )

    def _sync_time(
        self, family: ApiFamily, template: httpx.Request, state: CallState, usages: list[BucketUsage]
    ) -> Generator[Step, Any, float]:
        """Measure the server-time offset of `family` (round-trip corrected); return the seconds waited."""
        time = family.server_time
        bucket = self.budget.for_time(family.name)
        reservation, waited = yield from self._reserve(
            bucket, time.weight, state, f"serverTime:{family.name}"
        )
        request = httpx.Request(
            "GET", self._routes.url(family.name, time.path, ""), extensions=template.extensions
        )
        clock = self.server_clock.clock
        sent = clock.wall_ms()
        response, usage = yield from self._exchange(request, reservation)
        received = clock.wall_ms()
        usages.append(usage)
        body = json_object(response.content) if response.status_code == 200 else None
        server_time = body.get("serverTime") if body is not None else None
        if isinstance(server_time, int | float) and not isinstance(server_time, bool):
            offset = self.server_clock.update(family.name, float(server_time), sent, received)
            _log.info(
                "server time (%s): offset %+.1f ms, round trip %.1f ms", family.name, offset, received - sent
            )
        else:
            _log.warning("server time (%s) sync failed: HTTP %d", family.name, response.status_code)
        return waited

    # -- drivers --------------------------------------------------------------------------------------------
    # `drive` / `adrive` run a flow as an httpx auth flow: they yield requests and receive responses.
    # httpx's Client drives them through `sync_auth_flow` / `async_auth_flow` for a request it built; the
    # direct clients (`_direct.py`) drive them for a `direct_flow`, a call given as method, spec path
    # and parameters (what the generated functions pass to httpx): no URL to merge, encode and parse back.

    def direct_flow(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str]],
        *,
        headers: httpx.Headers,
        extensions: dict[str, Any],
    ) -> Flow:
        """The flow of a call given as method, spec path and query parameters (its first step sends the
        request); raises `BinanceValidationError` before any I/O."""
        family = family_of_path(path)
        if family is None:
            raise BinanceValidationError(path, "is not a path of the spec")
        operation, pairs = self._identify(method, path, family, params)
        # An operation's URL is replaced when it is signed: start from its host's base URL (and Host
        # header). A server-time call keeps its own query.
        url = (
            self._routes.base(family.name)
            if operation is not None
            else self._routes.url(family.name, path, encode_pairs(pairs))
        )
        return self._flow(_bodiless_request(method, url, headers, extensions), path, family, operation, pairs)

    def drive(self, flow: Flow) -> Generator[httpx.Request, httpx.Response, None]:
        """Drive `flow` like `sync_auth_flow` does: yields requests to send, receives their responses."""
        value: Any = None
        while True:
            try:
                step = flow.send(value)
            except StopIteration:
                return
            if isinstance(step, Send):
                response = yield step.request
                response.read()  # overriding sync_auth_flow skips httpx's own read for requires_response_body
                value = response
            elif isinstance(step, Sleep):
                self.server_clock.clock.sleep(step.seconds)
                value = None
            else:
                value = step.action()

    async def adrive(self, flow: Flow) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Drive `flow` like `async_auth_flow` does (budget-storage I/O off the loop when shared)."""
        shared = self.budget.shared
        value: Any = None
        while True:
            try:
                step = flow.send(value)
            except StopIteration:
                return
            if isinstance(step, Send):
                response = yield step.request
                await response.aread()
                value = response
            elif isinstance(step, Sleep):
                await self.server_clock.clock.asleep(step.seconds)
                value = None
            elif shared:
                import asyncio  # only async callers pay for it (~20 ms of import time)

                value = await asyncio.to_thread(step.action)
            else:
                value = step.action()

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        return self.drive(self.flow(request))

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        driver = self.adrive(self.flow(request))
        try:
            response = yield await driver.__anext__()
            while True:
                response = yield await driver.asend(response)
        except StopAsyncIteration:
            return
