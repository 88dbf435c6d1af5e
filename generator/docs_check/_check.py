"""One run: read every page in the docs directory and compare it with the spec."""

from __future__ import annotations

from pathlib import Path

from ._changelog import change_log_findings, is_change_log
from ._compare import compare_page
from ._findings import Findings
from ._halves import compare_halves
from ._markdown import split_page
from ._model import Finding, OperationPage, Report, UnreadableInput
from ._page import parse_operation_page
from ._spec_view import SpecOperation, SpecView

PAGE_SUFFIXES = (".txt", ".md")


def check(docs_dir: Path, spec_file: Path) -> Report:
    """Raises UnreadableInput when a page (or the directory) cannot be read."""
    if not docs_dir.is_dir():
        raise UnreadableInput(docs_dir, 0, "not a directory")
    files = sorted(path for path in docs_dir.rglob("*") if path.is_file() and path.suffix in PAGE_SUFFIXES)
    if not files:
        raise UnreadableInput(docs_dir, 0, f"no pages ({', '.join(PAGE_SUFFIXES)}) in the directory")
    spec = SpecView(spec_file)
    report = Report(str(spec_file), str(docs_dir), spec_checked_at=spec.checked_at)
    covered: set[str] = set()
    saw_change_log = False
    for file in files:
        split = split_page(file)
        report.newest_updated_at = max(report.newest_updated_at, split.front.updated_at)
        if is_change_log(split):
            saw_change_log = True
            report.findings += change_log_findings(split, spec)
            continue
        page = parse_operation_page(split)
        out = Findings(file, spec)
        if page is None:
            out.add(
                "info",
                "not-an-operation",
                1,
                split.english.title.title,
                "",
                None,
                "no HTTP request section: not compared",
            )
            report.findings += out.items
            continue
        operation = _match(page, spec)
        if operation is None:
            out.add(
                "info",
                "uncovered-endpoint",
                page.english.endpoint_line,
                page.english.endpoint,
                "not in the spec",
                None,
                "binance-margin does not cover this endpoint",
            )
        else:
            covered.add(operation.operation_id)
            report.findings += compare_page(page, operation, spec)
        report.findings += out.items + compare_halves(page, spec)
    report.findings += _missing(spec, covered, saw_change_log, docs_dir)
    return report


def _match(page: OperationPage, spec: SpecView) -> SpecOperation | None:
    """The page's operation: by doc URL first (so a moved path is drift, not a new endpoint), else by
    method and path."""
    url = page.front.source_url.rstrip("/")
    by_url = next((op for op in spec.operations if op.doc_url.rstrip("/") == url), None)
    english = page.english
    return by_url or next(
        (op for op in spec.operations if (op.method, op.path) == (english.method, english.path)), None
    )


def _missing(spec: SpecView, covered: set[str], saw_change_log: bool, docs_dir: Path) -> list[Finding]:
    out = Findings(spec.file, spec)
    for operation in spec.operations:
        if operation.operation_id not in covered:
            out.operation = operation.operation_id
            out.add(
                "drift",
                "page-missing",
                spec.line(operation.pointer) or 0,
                f"no page in {docs_dir}",
                operation.doc_url,
                operation.pointer,
                "removed upstream (deprecated?) or missing from the snapshot",
            )
    if not saw_change_log:
        out.operation = ""
        out.add(
            "info",
            "no-change-log",
            0,
            f"no change-log page in {docs_dir}",
            "",
            None,
            "change-log entries not checked",
        )
    return out.items
