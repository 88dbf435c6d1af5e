"""Rendering a report: a Markdown table (readable in a terminal and as a pull-request body) or JSON."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from ._model import Finding, Report, UnreadableInput

_COLUMNS = ("", "kind", "where", "operation", "the docs say", "the spec says", "note")


def _display(path: str) -> str:
    """A path relative to the working directory when it is below it: shorter table cells."""
    relative = os.path.relpath(Path(path).resolve())
    return path if relative.startswith("..") else relative


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(finding: Finding, spec_file: str) -> tuple[str, ...]:
    spec = finding.spec
    if finding.spec_line is not None:
        spec = f"{spec} ({_display(spec_file)}:{finding.spec_line})".strip()
    return (
        finding.severity.upper(),
        finding.kind,
        f"{_display(finding.file)}:{finding.line}",
        finding.operation,
        finding.docs,
        spec,
        finding.detail,
    )


def render_markdown(report: Report) -> str:
    drift = [f for f in report.findings if f.severity == "drift"]
    info = [f for f in report.findings if f.severity == "info"]
    verdict = "drift found" if drift else "no drift"
    lines = [
        f"## Binance docs check: {verdict}",
        "",
        f"Spec `{_display(report.spec_file)}` against the pages in `{_display(report.docs_dir)}`: "
        f"{len(drift)} drift, {len(info)} info.",
        "",
    ]
    if report.findings:
        lines.append("| " + " | ".join(_COLUMNS) + " |")
        lines.append("|" + "---|" * len(_COLUMNS))
        # Drift first, then by file and line, so the table reads like a to-do list.
        ordered = sorted(report.findings, key=lambda f: (f.severity != "drift", f.file, f.line))
        lines += [
            "| " + " | ".join(_cell(cell) for cell in _row(f, report.spec_file)) + " |" for f in ordered
        ]
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    document = {
        "spec": report.spec_file,
        "docs_dir": report.docs_dir,
        "drift": report.drift,
        "findings": [asdict(finding) for finding in report.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def render_error(error: UnreadableInput, as_json: bool) -> str:
    if as_json:
        return json.dumps(
            {"error": {"file": str(error.file), "line": error.line, "reason": error.reason}},
            ensure_ascii=False,
        )
    return f"docs-check: {error.file}:{error.line}: {error.reason}"
