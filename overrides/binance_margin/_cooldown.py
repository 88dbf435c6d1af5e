"""The once-per-interval guard ("Only convert once within 6 hours"), per account, in the budget's storage.

Before a guarded call is sent it takes the guard (`claim`): exactly one caller, in every process sharing
the storage, can hold it for an interval that has not been used yet. Two keys make that atomic with any
`limits` storage (each step is one atomic counter operation):

- `allowed`: the server time (ms) from which the call is allowed again; it only ever goes up.
- a claim counter (the ticket): the caller whose increment returns 1 holds the guard; everyone else is
  refused while it is held. The holder gives it up once `allowed` says what happened (or the call
  provably did not execute); it expires on its own after `claim_seconds`, so a process that dies with
  the guard held blocks the others only that long. Whoever takes it reads `allowed` again (here and in
  the storage), so a caller that read it just before another's keep is refused all the same.

After the answer, `settle` keeps the guard for the whole interval when the call may have executed (a
success, a 5xx or a timeout after sending: a second exchange inside the interval would be refused by
Binance at best), and hands it back when it provably did not (an error answer, nothing sent). The time
is also kept in this process, so a storage failure after sending still leaves this process guarded.
Times are server times (see `_timesync`).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Final

import attrs
from binance_margin_api.spec_metadata import OPERATIONS, OncePerInterval, Operation

from ._budget import Budget
from ._errors import BinanceCooldownError

_RULES: Final[dict[str, OncePerInterval]] = {
    operation.operation_id: rule
    for operation in OPERATIONS.values()
    for rule in operation.rules
    if isinstance(rule, OncePerInterval)
}


# How long before its expiry a ticket is no longer surely its holder's (clocks, round trips).
_TICKET_MARGIN_SECONDS: Final = 5


def once_rule(operation: Operation) -> OncePerInterval | None:
    return _RULES.get(operation.operation_id)


def _utc(ms: float) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(seconds: float) -> str:
    whole = max(0, int(seconds + 0.999))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s"


@attrs.frozen(slots=True)
class Claim:
    """The guard of `operation`, held by this caller (the claim counter at `key`)."""

    operation: Operation
    rule: OncePerInterval
    key: str
    expires_at: float  # wall-clock seconds: the ticket's own expiry, give or take a round trip


class Cooldown:
    """Takes, keeps and hands back the once-per-interval guards of the spec for one account."""

    def __init__(self, budget: Budget, account: str) -> None:
        self._budget = budget
        self._account = account

    def _key(self, operation: Operation) -> str:
        return f"{self._budget.key_space}/cooldown/{operation.operation_id}/{self._account}"

    def next_allowed_ms(self, operation: Operation) -> int:
        """Server ms from which `operation` is allowed again (0: allowed), as this process knows it."""
        local = int(self._budget.local_values.get(self._key(operation), 0))
        return max(local, self._budget.get_value(self._key(operation)))

    def _refuse(
        self,
        operation: Operation,
        rule: OncePerInterval,
        allowed: float,
        now_ms: float,
        sent: str = "; nothing was sent",
    ) -> None:
        wait = (allowed - now_ms) / 1000
        last = allowed - rule.interval_seconds * 1000
        raise BinanceCooldownError(
            f"{operation.operation_id}: {rule.doc}: this account's last exchange (or an attempt whose "
            f"outcome is unknown) was at {_utc(last)}; the next one is allowed from {_utc(allowed)} "
            f"(in {_duration(wait)}){sent}",
            retry_after=wait,
            next_allowed_ms=int(allowed),
        )

    def claim(self, operation: Operation, rule: OncePerInterval, now_ms: float, claim_seconds: int) -> Claim:
        """Take the guard for a call at server time `now_ms`, or raise BinanceCooldownError (nothing sent)."""
        key = self._key(operation)
        local = self._budget.local_values.get(key, 0.0)
        if local > now_ms:
            self._refuse(operation, rule, local, now_ms)
        allowed = self._budget.get_value(key)
        if allowed > now_ms:
            self._refuse(operation, rule, allowed, now_ms)
        claim = Claim(operation, rule, f"{key}/claim", time.time() + claim_seconds)
        if self._budget.take_ticket(claim.key, claim_seconds) != 1:
            # Held until that caller settles it (or it expires): the earliest the exchange may be allowed.
            raise BinanceCooldownError(
                f"{operation.operation_id}: {rule.doc}: another caller of this account holds the guard (its "
                f"exchange is in flight or has just been made, or its outcome was lost); try again in "
                f"{claim_seconds} s, when it is settled or has expired; nothing was sent",
                retry_after=float(claim_seconds),
                next_allowed_ms=int(now_ms) + claim_seconds * 1000,
            )
        # Between reading `allowed` and taking the ticket, another caller may have finished an exchange
        # (in this process, a private storage holds none: the local fact says so).
        again = max(self._budget.local_values.get(key, 0.0), self._budget.get_value(key))
        if again > now_ms:
            self._budget.forget(claim.key)
            self._refuse(operation, rule, again, now_ms)
        return claim

    def check_again(self, claim: Claim, now_ms: float, sent: str) -> None:
        """For the holder of `claim` whose clock was just corrected (a -1021 and a sync): BinanceCooldownError
        (`sent` says what the call had sent) if the guard forbids the call at the corrected `now_ms`."""
        allowed = self.next_allowed_ms(claim.operation)
        if allowed > now_ms:
            self._refuse(claim.operation, claim.rule, allowed, now_ms, sent)

    def keep(self, claim: Claim, now_ms: float) -> int:
        """The call may have executed: forbid it for the rule's interval from `now_ms`; return the end (ms).
        This process is guarded even if the storage fails (BinanceStorageError) while recording it."""
        allowed = int(now_ms) + claim.rule.interval_seconds * 1000
        self._budget.raise_value(self._key(claim.operation), allowed, claim.rule.interval_seconds)
        self.release(claim)  # `allowed` holds the fact now: the ticket is done with
        return allowed

    def release(self, claim: Claim) -> None:
        """Hand the ticket back: the call provably did not execute, or its result is recorded."""
        # A ticket that may have expired meanwhile (a call that outlasted it) may be another caller's by
        # now: it is left to expire, not taken from them.
        if time.time() < claim.expires_at - _TICKET_MARGIN_SECONDS:
            self._budget.forget(claim.key)
