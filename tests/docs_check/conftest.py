"""Doc pages for the docs-check tests: copies of the real seeds, each edited once."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator._paths import REPO_ROOT, SPEC_PATH
from generator.docs_check import Finding, Report, check

SEEDS = REPO_ROOT.parent / "shared" / "seeds"

# The seeds by their file-name prefix.
SMALL_LIABILITY_EXCHANGE = "000"
CHANGE_LOG = "002"
COIN_LIST = "001"
MANUAL_LIQUIDATION = "003"
CHANGE_MARGIN_TYPE = "004"


@dataclass
class Docs:
    """A writable copy of the seeds."""

    dir: Path

    def page(self, prefix: str) -> Path:
        (match,) = self.dir.glob(f"{prefix}_*.txt")
        return match

    def edit(self, prefix: str, pattern: str, replacement: str, count: int = 0) -> list[int]:
        """Replace the regex `pattern` (multiline) `count` times (0: every time); return the line each
        replacement starts on, in the edited page."""
        page = self.page(prefix)
        starts: list[int] = []
        shift = 0  # how far earlier replacements moved this one

        def replace(match: re.Match[str]) -> str:
            nonlocal shift
            new = match.expand(replacement)
            starts.append(match.start() + shift)
            shift += len(new) - len(match.group(0))
            return new

        edited = re.sub(pattern, replace, page.read_text(encoding="utf-8"), count=count, flags=re.MULTILINE)
        assert starts, f"{pattern!r} is not in {page.name}"
        page.write_text(edited, encoding="utf-8")
        return [edited[:start].count("\n") + 1 for start in starts]

    def line_of(self, prefix: str, pattern: str) -> list[int]:
        """The lines of the page matching the regex `pattern`."""
        text = self.page(prefix).read_text(encoding="utf-8")
        return [number for number, line in enumerate(text.split("\n"), 1) if re.search(pattern, line)]

    def check(self) -> Report:
        return check(self.dir, SPEC_PATH)


@pytest.fixture
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the real doc pages are not here: {SEEDS}")
    return SEEDS


@pytest.fixture
def docs(seeds: Path, tmp_path: Path) -> Docs:
    target = tmp_path / "docs"
    shutil.copytree(seeds, target)
    for page in target.iterdir():
        page.chmod(0o644)  # the seeds are read-only
    return Docs(target)


def drift(report: Report) -> list[Finding]:
    return [finding for finding in report.findings if finding.severity == "drift"]


def located(report: Report, kind: str) -> set[tuple[str, int]]:
    """Where the findings of one kind are: (file name, line)."""
    return {(Path(f.file).name, f.line) for f in report.findings if f.kind == kind}
