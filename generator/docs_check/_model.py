"""The data the docs check passes between its steps: what a page says, and what it found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["drift", "info"]


class UnreadableInput(Exception):
    """A page (or the docs directory) the check cannot read: the run ends with exit code 2."""

    def __init__(self, file: Path, line: int, reason: str) -> None:
        super().__init__(f"{file}:{line}: {reason}")
        self.file = file
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Located:
    """A piece of page text and the 1-based line it starts on."""

    text: str
    line: int


@dataclass(frozen=True)
class DocParam:
    name: str
    type: str
    mandatory: bool
    description: str
    enum: tuple[str, ...] | None
    line: int


@dataclass(frozen=True)
class DocWeight:
    value: int | None
    kind: str | None
    text: str
    line: int
    kind_line: int  # the heading's line when the kind is written there ("Request Weight(IP)")


@dataclass(frozen=True)
class DocHalf:
    """One language's half of an operation page."""

    language: Literal["en", "zh"]
    title: Located
    security_type: str | None
    method: str | None
    path: str | None
    endpoint_line: int
    weight: DocWeight | None
    params: tuple[DocParam, ...]
    params_line: int
    notes: tuple[Located, ...]
    example: Located | None

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class FrontMatter:
    exchange: str
    source_url: str
    api_type: str
    updated_at: str
    lines: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class OperationPage:
    file: Path
    front: FrontMatter
    english: DocHalf
    chinese: DocHalf | None


@dataclass(frozen=True)
class ChangeLogEntry:
    date: str
    language: Literal["en", "zh"]
    text: str
    line: int


@dataclass(frozen=True)
class Finding:
    severity: Severity
    kind: str
    file: str
    line: int
    docs: str
    spec: str
    operation: str = ""
    spec_line: int | None = None
    detail: str = ""


@dataclass
class Report:
    spec_file: str
    docs_dir: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def drift(self) -> bool:
        return any(finding.severity == "drift" for finding in self.findings)
