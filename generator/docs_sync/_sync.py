"""From docs-check findings to a spec patch: the edits mechanical findings carry, as a diff."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from ..docs_check import Edit, Finding, Report, check, render_markdown
from ._apply import apply_edits

CHECKED_AT = ("info", "x-binance-docs-checked-at")


@dataclass(frozen=True)
class Proposal:
    report: Report
    original: str
    patched: str
    diff: str

    @property
    def changed(self) -> bool:
        return self.patched != self.original

    @property
    def for_a_human(self) -> tuple[Finding, ...]:
        """The drift no edit translates: listed for a human, left alone in the spec."""
        return tuple(f for f in self.report.findings if f.severity == "drift" and not f.fix)


def _unique(edits: list[Edit]) -> list[Edit]:
    """Each edit once (a wording edit may come from both a parameter and its enum)."""
    seen: list[Edit] = []
    for edit in edits:
        if edit not in seen:
            seen.append(edit)
    return seen


def _checked_at(report: Report) -> list[Edit]:
    """Move the docs date forward to the newest page, unless a change-log entry still needs reading:
    the date is what keeps such an entry reported."""
    newest = report.newest_updated_at[:19]
    waiting = any(f.kind == "change-log" and f.severity == "drift" for f in report.findings)
    if waiting or not newest or newest <= report.spec_checked_at:
        return []
    return [Edit("set", CHECKED_AT, newest)]


def _label(spec_file: Path) -> str:
    relative = os.path.relpath(spec_file.resolve())
    return spec_file.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def propose(docs_dir: Path, spec_file: Path) -> Proposal:
    """Raises UnreadableInput when a page cannot be read."""
    report = check(docs_dir, spec_file)
    edits = _unique([edit for finding in report.findings for edit in finding.fix])
    edits += _checked_at(report)
    original = spec_file.read_text(encoding="utf-8")
    patched = apply_edits(original, edits)
    label = _label(spec_file)
    diff = "".join(
        difflib.unified_diff(
            original.splitlines(keepends=True),
            patched.splitlines(keepends=True),
            fromfile=label if label.startswith("/") else f"a/{label}",
            tofile=label if label.startswith("/") else f"b/{label}",
        )
    )
    return Proposal(report, original, patched, diff)


def render_report(proposal: Proposal, written: bool) -> str:
    """Markdown for a pull request: the check's findings, the patch, and what is left for a human."""
    lines = [render_markdown(proposal.report).rstrip("\n"), ""]
    if proposal.changed:
        verb = "applied" if written else "proposed"
        lines += [
            f"### Spec patch ({verb} by docs-sync)",
            "",
            "```diff",
            proposal.diff.rstrip("\n"),
            "```",
            "",
        ]
    else:
        lines += ["### Spec patch", "", "None: the spec already says what the pages say.", ""]
    if proposal.for_a_human:
        lines += ["### Left for a human", ""]
        lines += [
            f"- `{f.kind}` at `{f.file}:{f.line}`"
            + (f" ({f.operation})" if f.operation else "")
            + f": {f.docs}"
            + (f"; the spec says {f.spec}" if f.spec else "")
            for f in proposal.for_a_human
        ]
        lines.append("")
    return "\n".join(lines)
