"""The scenario's demo credentials, typed for a client: the public keys the mock accepts."""

from __future__ import annotations

import dataclasses

from .._scenario import Scenario, load_scenario


@dataclasses.dataclass(frozen=True)
class DemoHmacKey:
    """An HMAC key the mock accepts: `HmacCredentials(key.api_key, key.secret)`. PUBLIC demo keys (the
    repr leaves the secret out all the same, so logs stay clean of anything shaped like a secret)."""

    api_key: str
    secret: str = dataclasses.field(repr=False)
    account_id: int


def demo_hmac_key(scenario: Scenario | None = None, account_id: int | None = None) -> DemoHmacKey:
    """The HMAC key of `account_id` in `scenario` (default: the packaged default scenario; the first
    account that has an HMAC key)."""
    scenario = scenario or load_scenario()
    for account in scenario.accounts:
        if account_id is not None and account.account_id != account_id:
            continue
        for key in account.keys:
            if key.kind == "HMAC" and key.secret is not None:
                return DemoHmacKey(key.api_key, key.secret, account.account_id)
    wanted = "any account" if account_id is None else f"account {account_id}"
    raise LookupError(f"the scenario has no HMAC key for {wanted}")
