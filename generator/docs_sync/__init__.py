"""`python -m generator docs-sync DOCS_DIR [--write]`: the spec patch for every mechanical drift.

Runs the docs check on DOCS_DIR, collects the spec edits its findings carry, and prints them as a
unified diff of the spec; `--write` applies them (round-trip YAML: layout and comments stay). What no
edit resolves is listed for a human and left alone. Exit codes: 0 nothing is left for a human, 1 some
drift is, 2 unreadable input. See docs/docs-check.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._paths import SPEC_PATH
from ..docs_check import EXIT_DRIFT, EXIT_OK, EXIT_UNREADABLE, UnreadableInput
from ._sync import Proposal, propose, render_report

__all__ = ["Proposal", "main", "propose"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator docs-sync",
        description="Propose (or --write) the spec patch that makes spec/openapi.yaml say what the doc "
        "pages in DOCS_DIR say; list what needs a human.",
    )
    parser.add_argument("docs_dir", type=Path, metavar="DOCS_DIR", help="the directory of doc pages")
    parser.add_argument("--write", action="store_true", help="apply the patch to the spec")
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the OpenAPI spec to patch")
    parser.add_argument("--report", type=Path, help="also write a Markdown report (patch and open items)")
    options = parser.parse_args(argv)
    try:
        proposal = propose(options.docs_dir, options.spec)
    except UnreadableInput as error:
        print(f"docs-sync: {error.file}:{error.line}: {error.reason}", file=sys.stderr)
        return EXIT_UNREADABLE
    sys.stdout.write(proposal.diff)
    for finding in proposal.for_a_human:
        print(
            f"docs-sync: needs a human: {finding.kind} at {finding.file}:{finding.line}: {finding.docs}",
            file=sys.stderr,
        )
    if options.write and proposal.changed:
        options.spec.write_text(proposal.patched, encoding="utf-8")
        print(f"docs-sync: wrote {options.spec}", file=sys.stderr)
    if options.report is not None:
        options.report.write_text(render_report(proposal, written=options.write), encoding="utf-8")
    return EXIT_DRIFT if proposal.for_a_human else EXIT_OK
