"""Pages the spec does not cover, operations with no page, the change log, and reading enum values."""

from __future__ import annotations

import pytest
import yaml

from generator._paths import SPEC_PATH
from generator.docs_check._page import enum_values

from .conftest import CHANGE_LOG, CHANGE_MARGIN_TYPE, Docs, drift, located


def test_a_page_for_an_endpoint_the_spec_does_not_cover_is_reported_not_drift(docs: Docs) -> None:
    text = docs.page(CHANGE_MARGIN_TYPE).read_text(encoding="utf-8")
    other = docs.dir / "900_leverage.md"
    other.write_text(
        text.replace("Change-Margin-Type", "Change-Initial-Leverage").replace(
            "/fapi/v1/marginType", "/fapi/v1/leverage"
        ),
        encoding="utf-8",
    )
    report = docs.check()
    assert located(report, "uncovered-endpoint") == {("900_leverage.md", 16)}
    assert not report.drift


def test_an_operation_without_a_page_is_drift_located_in_the_spec(docs: Docs) -> None:
    docs.page(CHANGE_MARGIN_TYPE).unlink()
    report = docs.check()
    (finding,) = drift(report)
    assert finding.kind == "page-missing" and finding.operation == "changeMarginType"
    assert finding.file == str(SPEC_PATH)
    assert SPEC_PATH.read_text(encoding="utf-8").split("\n")[finding.line - 1].strip() == "post:"


def test_a_page_that_is_no_operation_is_reported(docs: Docs) -> None:
    (docs.dir / "901_general.md").write_text(
        "---\nexchange: binance\nsource_url: https://developers.binance.com/docs/margin_trading/general-info\n"
        "api_type: REST\nupdated_at: 2026-01-15T00:00:00\n---\n\n# General Info\n\nSome text.\n",
        encoding="utf-8",
    )
    report = docs.check()
    assert located(report, "not-an-operation") == {("901_general.md", 1)}
    assert not report.drift


def _add_entry(docs: Docs, heading: str, entry: str, date: str = "2026-02-01") -> int:
    """Put a change-log entry on top of one half ("# Change Log" or "# 更新日志"); return its line."""
    (line,) = docs.edit(CHANGE_LOG, rf"^({heading}\n\n)", rf"\1## {date}\n\n  * {entry}\n\n")
    return line + 2


@pytest.mark.parametrize(
    ("heading", "entry"),
    [
        ("# Change Log", "`POST /sapi/v1/margin/manual-liquidation`: new parameter `autoRepay`"),
        ("# Change Log", "The weight of several endpoints changes"),
        ("# Change Log", "`recvWindow` now accepts microseconds"),
        ("# 更新日志", "签名规则更新"),
    ],
    ids=["path", "weight", "recvWindow", "chinese-only"],
)
def test_a_newer_change_log_entry_touching_the_spec_is_drift(docs: Docs, heading: str, entry: str) -> None:
    line = _add_entry(docs, heading, entry)
    report = docs.check()
    findings = [f for f in drift(report) if f.kind == "change-log"]
    assert [(f.line, f.docs.startswith("2026-02-01")) for f in findings] == [(line, True)]


@pytest.mark.parametrize(
    ("heading", "entry"),
    [("# Change Log", "Signed endpoints: a new rule for `recvWindow`"), ("# 更新日志", "签名规则更新")],
    ids=["en", "zh"],
)
def test_an_entry_dated_on_the_docs_day_is_drift(docs: Docs, heading: str, entry: str) -> None:
    # The spec was checked late on its docs day: an entry of that day may be newer than the check.
    checked_day = str(
        yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))["info"]["x-binance-docs-checked-at"]
    )
    line = _add_entry(docs, heading, entry, date=checked_day[:10])
    findings = [f for f in drift(docs.check()) if f.kind == "change-log"]
    assert [(f.line, f.docs[:10]) for f in findings] == [(line, checked_day[:10])]


@pytest.mark.parametrize(
    "entry",
    [
        "The new portal is designed for readers on mobile",
        "Redesigned navigation; the weighted average price page moved",
        "Pages for `POST /sapi/v1/margin/order` were reorganised",
    ],
    ids=["designed", "weighted", "another path"],
)
def test_an_unrelated_newer_entry_is_information(docs: Docs, entry: str) -> None:
    line = _add_entry(docs, "# Change Log", entry)
    report = docs.check()
    assert not report.drift
    assert (CHANGE_LOG, line) in located(report, "change-log")


def test_an_entry_about_a_signed_path_with_the_signing_method_is_drift(docs: Docs) -> None:
    # Binance's change log writes some paths as `POST /sapi/... (HMAC SHA256)`.
    line = _add_entry(
        docs, "# Change Log", "`POST /sapi/v1/margin/manual-liquidation (HMAC SHA256)`: new response field"
    )
    assert [(f.kind, f.line) for f in drift(docs.check())] == [("change-log", line)]


def test_a_newer_entry_about_a_longer_path_is_information(docs: Docs) -> None:
    # exchange-small-liability-history is another endpoint, though it starts with a covered path.
    line = _add_entry(
        docs, "# Change Log", "`GET /sapi/v1/margin/exchange-small-liability-history`: new field"
    )
    report = docs.check()
    assert not report.drift
    assert (CHANGE_LOG, line) in located(report, "change-log")


def test_older_change_log_entries_are_not_listed(docs: Docs) -> None:
    # The 2025-12-26 percent-encoding entry touches signing but predates x-binance-docs-checked-at.
    report = docs.check()
    assert [f.docs[:10] for f in report.findings if f.kind == "change-log"] == ["2026-01-16"]


@pytest.mark.parametrize(
    ("description", "values"),
    [
        ("`MARGIN`,`ISOLATED`", ("MARGIN", "ISOLATED")),
        ("ISOLATED, CROSSED", ("ISOLATED", "CROSSED")),
        ("保证金模式 ISOLATED(逐仓), CROSSED(全仓)", ("ISOLATED", "CROSSED")),
        ("Margin type: ISOLATED, CROSSED.", ("ISOLATED", "CROSSED")),
        ("The assets list of small liability exchange， Example: assetNames = BTC,ETH", None),
        ("When type selects `ISOLATED`, `symbol` must be filled in", None),
        ("`type`选择`ISOLATED`后，`symbol`需要填入", None),
        ("交易对", None),
        ("", None),
    ],
)
def test_enum_values_are_read_from_descriptions(description: str, values: tuple[str, ...] | None) -> None:
    assert enum_values(description) == values
