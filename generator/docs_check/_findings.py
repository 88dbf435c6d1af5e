"""Collecting findings, and writing facts the same way in every finding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ._model import Edit, Finding, Severity
from ._spec_view import Pointer, SpecView


@dataclass
class Findings:
    """Collects findings about one page (or the spec), filling in the common fields."""

    file: Path
    spec: SpecView
    operation: str = ""
    items: list[Finding] = field(default_factory=list)

    def add(
        self,
        severity: Severity,
        kind: str,
        line: int,
        docs: str,
        spec: str,
        pointer: Pointer | None = None,
        detail: str = "",
        language: str = "",
        fix: Sequence[Edit] = (),
    ) -> None:
        spec_line = self.spec.line(pointer) if pointer else None
        self.items.append(
            Finding(
                severity,
                kind,
                str(self.file),
                line,
                docs,
                spec,
                self.operation,
                spec_line,
                detail,
                language,
                tuple(fix),
            )
        )


def weight_text(value: int | None, kind: str | None) -> str:
    return f"{value} ({kind})" if kind else f"{value} (no kind stated)"


def yes_no(flag: bool) -> str:
    return "YES" if flag else "NO"


def listing(values: tuple[str, ...] | None) -> str:
    return ", ".join(values) if values else "(none)"
