"""Doc pages for the docs-check tests: copies of the committed snapshot (spec/docs), each edited once."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator._paths import REPO_ROOT, SPEC_PATH
from generator.docs_check import Finding, Report, check

SNAPSHOT = REPO_ROOT / "spec" / "docs"

# The snapshot's pages, by where they are in it.
SMALL_LIABILITY_EXCHANGE = "margin_trading/trade/Small-Liability-Exchange.md"
CHANGE_LOG = "margin_trading/change-log.md"
COIN_LIST = "margin_trading/trade/Get-Small-Liability-Exchange-Coin-List.md"
MANUAL_LIQUIDATION = "margin_trading/trade/Margin-Manual-Liquidation.md"
CHANGE_MARGIN_TYPE = "derivatives/usds-margined-futures/trade/rest-api/Change-Margin-Type.md"


@dataclass
class Docs:
    """A writable copy of the snapshot."""

    dir: Path

    def page(self, name: str) -> Path:
        return self.dir / name

    def edit(self, name: str, pattern: str, replacement: str, count: int = 0, half: str = "") -> list[int]:
        """Replace the regex `pattern` (multiline) `count` times (0: every time), in the whole page or
        only in one `half` ("en", "zh"); return the line each replacement starts on, in the edited page."""
        page = self.page(name)
        text = page.read_text(encoding="utf-8")
        # The Chinese half starts at the last `---` line followed by a `# Title` (the first one closes
        # the front matter).
        splits = list(re.finditer(r"^---\n\n# ", text, flags=re.MULTILINE))
        cut = splits[-1].start() if len(splits) > 1 else len(text)
        start, end = {"": (0, len(text)), "en": (0, cut), "zh": (cut, len(text))}[half]
        starts: list[int] = []
        shift = start  # where the edited part starts, plus how far earlier replacements moved this one

        def replace(match: re.Match[str]) -> str:
            nonlocal shift
            new = match.expand(replacement)
            starts.append(match.start() + shift)
            shift += len(new) - len(match.group(0))
            return new

        part = re.sub(pattern, replace, text[start:end], count=count, flags=re.MULTILINE)
        assert starts, f"{pattern!r} is not in {name} ({half or 'both halves'})"
        edited = text[:start] + part + text[end:]
        page.write_text(edited, encoding="utf-8")
        return [edited[:at].count("\n") + 1 for at in starts]

    def line_of(self, name: str, pattern: str) -> list[int]:
        """The lines of the page matching the regex `pattern`."""
        text = self.page(name).read_text(encoding="utf-8")
        return [number for number, line in enumerate(text.split("\n"), 1) if re.search(pattern, line)]

    def check(self) -> Report:
        return check(self.dir, SPEC_PATH)


@pytest.fixture
def snapshot() -> Path:
    return SNAPSHOT


@pytest.fixture
def docs(tmp_path: Path) -> Docs:
    target = tmp_path / "docs"
    shutil.copytree(SNAPSHOT, target)
    return Docs(target)


def drift(report: Report) -> list[Finding]:
    return [finding for finding in report.findings if finding.severity == "drift"]


def located(report: Report, kind: str) -> set[tuple[str, int]]:
    """Where the findings of one kind are: (page, line), the page as named in the snapshot."""
    return {(_name(report, f), f.line) for f in report.findings if f.kind == kind}


def drift_at(report: Report) -> set[tuple[str, str, int]]:
    """Every drift finding as (kind, page, line)."""
    return {(f.kind, _name(report, f), f.line) for f in drift(report)}


def _name(report: Report, finding: Finding) -> str:
    path = Path(finding.file)
    docs_dir = Path(report.docs_dir)
    return path.relative_to(docs_dir).as_posix() if path.is_relative_to(docs_dir) else path.name
