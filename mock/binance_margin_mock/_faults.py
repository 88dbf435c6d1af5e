"""Fault injection: latency, 5xx answers, dropped connections and forced 429/418, per operation and count."""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final, Literal

from binance_margin_api.spec_metadata import API_FAMILIES, OPERATIONS

from ._errors import FAPI_503

FaultKind = Literal["latency", "error", "drop", "rate_limit", "ban"]
_KINDS: tuple[FaultKind, ...] = ("latency", "error", "drop", "rate_limit", "ban")
# HTTP forbids a body with these: the server would drop the connection instead of answering.
_NO_BODY: Final = frozenset({204, 304})


def fault_targets(method: str, path: str, operation_id: str | None = None) -> tuple[str, ...]:
    """The names a rule's `operation` may give a route: its operationId (if any), "METHOD /path", path."""
    target = f"{method} {path}"
    return (operation_id, target, path) if operation_id is not None else (target, path)


# Every name a rule may use: a rule naming anything else would never fire, silently.
TARGETS: Final = frozenset(
    [name for op in OPERATIONS.values() for name in fault_targets(op.method, op.path, op.operation_id)]
    + [name for family in API_FAMILIES.values() for name in fault_targets("GET", family.server_time.path)]
)


def _integer(name: str, value: object, low: int, high: int | None = None) -> None:
    if type(value) is not int or value < low or (high is not None and value > high):
        upper = f" and at most {high}" if high is not None else ""
        raise ValueError(f"fault {name} must be an integer of at least {low}{upper}, not {value!r}")


@dataclasses.dataclass(slots=True)
class FaultRule:
    """One rule. `operation` is an operationId, "METHOD /path" or a path; None matches every request.

    `count` is how many matching requests it applies to (None: until cleared). With `executed`, an
    `error` or `drop` happens after the request took effect, like a 5xx whose outcome is unknown.
    """

    kind: FaultKind
    operation: str | None = None
    count: int | None = None
    latency_seconds: float = 0.0
    status: int = 503
    code: int = FAPI_503["unknown"][0]
    msg: str = FAPI_503["unknown"][1]
    executed: bool = False
    retry_after: int = 60  # rate_limit; ban: seconds of ban

    def __post_init__(self) -> None:
        # Checked here, so a rule built in Python or sent as JSON either works as written or is refused.
        if self.kind not in _KINDS:
            raise ValueError(f"fault kind must be one of {_KINDS}, not {self.kind!r}")
        if self.operation is not None and self.operation not in TARGETS:
            raise ValueError(
                f"fault operation {self.operation!r} is not served here; one of {sorted(TARGETS)}"
            )
        if self.count is not None:
            _integer("count", self.count, 1)
        latency = self.latency_seconds
        if type(latency) not in (int, float) or not math.isfinite(latency) or latency < 0:
            raise ValueError(f"fault latency_seconds must be a finite number of at least 0, not {latency!r}")
        _integer("status", self.status, 200, 599)
        if self.status in _NO_BODY:
            raise ValueError(f"fault status {self.status} cannot carry the error body it answers with")
        _integer("code", self.code, -(2**31))
        _integer("retry_after", self.retry_after, 0)
        if not isinstance(self.msg, str) or type(self.executed) is not bool:
            raise ValueError(
                f"fault msg must be a string and executed a boolean, not {self.msg!r}, {self.executed!r}"
            )
        if not self.msg.isascii():  # it is answered (and listed by /_mock/state) as UTF-8 JSON
            try:
                self.msg.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(
                    f"fault msg must be text (it holds a lone surrogate): {self.msg!r}"
                ) from None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FaultRule:
        """A rule from JSON; `"fapi_503": "unknown" | "unavailable" | "internal"` picks a FAPI 503 message."""
        data = dict(raw)
        preset = data.pop("fapi_503", None)
        if preset is not None:
            if preset not in FAPI_503:
                raise ValueError(f"fapi_503 must be one of {sorted(FAPI_503)}")
            data["code"], data["msg"] = FAPI_503[preset]
            data.setdefault("status", 503)
        fields = {field.name for field in dataclasses.fields(cls)}
        unknown = set(data) - fields
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        if isinstance(data.get("latency_seconds"), Decimal):  # JSON's numbers: asyncio.sleep needs a float
            data["latency_seconds"] = float(data["latency_seconds"])
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        """The rule as JSON, every field given (what `from_json` reads back)."""
        return dataclasses.asdict(self)

    def matches(self, targets: tuple[str, ...]) -> bool:
        return self.operation is None or self.operation in targets


class Faults:
    """The active fault rules; thread-safe so tests can change them while a server runs."""

    def __init__(self, rules: list[FaultRule] | None = None) -> None:
        self._rules: list[FaultRule] = list(rules or ())
        self._lock = threading.Lock()

    def add(self, *rules: FaultRule) -> None:
        with self._lock:
            self._rules.extend(rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def take(self, targets: tuple[str, ...]) -> list[FaultRule]:
        """The rules that apply to this request, using up one of each counted rule taken.

        Every matching latency rule applies; of the rules that answer, only the first one added.
        """
        if not self._rules:  # the common case stays lock-free
            return []
        taken: list[FaultRule] = []
        answered = False
        with self._lock:
            for rule in list(self._rules):
                if not rule.matches(targets) or (answered and rule.kind != "latency"):
                    continue
                answered = answered or rule.kind != "latency"
                taken.append(rule)
                if rule.count is not None:
                    rule.count -= 1
                    if rule.count <= 0:
                        self._rules.remove(rule)
        return taken
