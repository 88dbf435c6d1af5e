"""The data the docs check passes between its steps: what a page says, and what it found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Severity = Literal["drift", "info"]
Language = Literal["en", "zh"]


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
    # The values the description lists, one or more (None: it lists none). A single value is only an
    # enum where one is expected (type ENUM, or an enum in the spec): see `enum_for`.
    listed: tuple[str, ...] | None
    line: int

    def enum_for(self, spec_has_enum: bool) -> tuple[str, ...] | None:
        if self.listed is None:
            return None
        if len(self.listed) > 1 or self.type == "ENUM" or spec_has_enum:
            return self.listed
        return None


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

    language: Language
    title: Located  # the whole heading, security type included
    name: str  # the title without its security type
    security_type: str | None
    description: tuple[Located, ...]  # the API description's paragraphs
    description_line: int
    method: str | None
    path: str | None
    endpoint_line: int
    weight: DocWeight | None
    params: tuple[DocParam, ...]
    params_line: int
    # Every other paragraph or bullet on the page (rules, mode support, notices), wherever it stands.
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
    language: Language
    text: str
    line: int


@dataclass(frozen=True)
class Edit:
    """One change to the spec that makes it say what the docs say (docs-sync applies these).

    `pointer` walks the spec as written (a `$ref` is not followed); a segment `@name` selects the list
    item whose `name` is `name`. `set` replaces or adds the value at the pointer, `delete` removes it,
    `append` adds `value` to the list at the pointer (creating the list)."""

    op: Literal["set", "delete", "append"]
    pointer: tuple[str, ...]
    value: Any = None


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
    language: str = ""  # "en" or "zh" when the finding is about one half's text
    # The spec edits that resolve the finding, when it is mechanical; empty when a human must decide.
    fix: tuple[Edit, ...] = ()


@dataclass
class Report:
    spec_file: str
    docs_dir: str
    findings: list[Finding] = field(default_factory=list)
    newest_updated_at: str = ""  # the newest `updated_at` of the pages read (the change log included)
    spec_checked_at: str = ""  # the spec's docs date, which the pages were read against

    @property
    def drift(self) -> bool:
        return any(finding.severity == "drift" for finding in self.findings)
