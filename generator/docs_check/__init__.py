"""`python -m generator docs-check DOCS_DIR`: compare scraped Binance doc pages with the spec.

Exit codes: 0 the spec matches the docs, 1 drift, 2 unreadable input. See docs/docs-check.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._paths import SPEC_PATH
from ._changelog import is_change_log
from ._check import check
from ._markdown import split_page
from ._model import Edit, Finding, Report, UnreadableInput
from ._page import parse_operation_page
from ._report import render_error, render_json, render_markdown

__all__ = [
    "EXIT_DRIFT",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "Edit",
    "Finding",
    "Report",
    "UnreadableInput",
    "check",
    "is_change_log",
    "main",
    "parse_operation_page",
    "render_markdown",
    "split_page",
]

EXIT_OK, EXIT_DRIFT, EXIT_UNREADABLE = 0, 1, 2


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator docs-check",
        description="Compare scraped Binance doc pages with spec/openapi.yaml and report drift.",
    )
    parser.add_argument("docs_dir", type=Path, metavar="DOCS_DIR", help="the directory of scraped pages")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the OpenAPI spec to compare with")
    options = parser.parse_args(argv)
    try:
        report = check(options.docs_dir, options.spec)
    except UnreadableInput as error:
        print(render_error(error, as_json=False), file=sys.stderr)
        if options.json:
            print(render_error(error, as_json=True))
        return EXIT_UNREADABLE
    print(
        render_json(report) if options.json else render_markdown(report), end="" if not options.json else "\n"
    )
    return EXIT_DRIFT if report.drift else EXIT_OK
