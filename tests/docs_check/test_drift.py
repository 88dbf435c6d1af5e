"""One edited seed per kind of drift: each is reported, at the edited line, and nothing else drifts."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator._paths import SPEC_PATH
from generator.docs_check import check

from .conftest import (
    CHANGE_MARGIN_TYPE,
    COIN_LIST,
    MANUAL_LIQUIDATION,
    SMALL_LIABILITY_EXCHANGE,
    Docs,
    drift,
    located,
)


def test_the_real_pages_report_no_drift(seeds: Path) -> None:
    report = check(seeds, SPEC_PATH)
    assert drift(report) == []
    # Every page was read as what it is: four operations compared, the change log read.
    assert {f.kind for f in report.findings} <= {"change-log"}


def test_an_unchanged_copy_reports_nothing_about_its_operation_pages(docs: Docs) -> None:
    report = docs.check()
    assert [f for f in report.findings if f.kind != "change-log"] == []
    assert not report.drift


# (page, pattern, replacement, the kind reported at the edited lines)
SPEC_DRIFT = {
    "weight value": (SMALL_LIABILITY_EXCHANGE, r"\*\*3000\(UID\)\*\*", "**2000(UID)**", "weight-value"),
    "weight kind, after the value": (
        SMALL_LIABILITY_EXCHANGE,
        r"\*\*3000\(UID\)\*\*",
        "**3000(IP)**",
        "weight-kind",
    ),
    "weight kind, in the heading": (
        COIN_LIST,
        r"^(## (?:Request Weight|请求权重))\(IP\)",
        r"\1(UID)",
        "weight-kind",
    ),
    "weight kind, stated on a futures page": (CHANGE_MARGIN_TYPE, r"^\*\*1\*\*", "**1(UID)**", "weight-kind"),
    "parameter added": (
        MANUAL_LIQUIDATION,
        r"^symbol\| STRING\| NO\|",
        "autoRepay| STRING| NO| `TRUE`,`FALSE`  \nsymbol| STRING| NO|",
        "parameter-added",
    ),
    "mandatory flipped": (
        MANUAL_LIQUIDATION,
        r"^symbol\| STRING\| NO\|",
        "symbol| STRING| YES|",
        "parameter-mandatory",
    ),
    "type changed": (CHANGE_MARGIN_TYPE, r"^symbol\| STRING\|", "symbol| LONG|", "parameter-type"),
    "enum value added": (
        CHANGE_MARGIN_TYPE,
        r"CROSSED(\(全仓\))?  $",
        r"CROSSED\1, PORTFOLIO  ",
        "parameter-enum",
    ),
    "path changed": (
        CHANGE_MARGIN_TYPE,
        r"^POST `/fapi/v1/marginType`",
        "POST `/fapi/v2/marginType`",
        "endpoint",
    ),
    "method changed": (MANUAL_LIQUIDATION, r"^POST (`?/sapi)", r"PUT \1", "endpoint"),
    "timestamp no longer mandatory": (
        COIN_LIST,
        r"^timestamp\| LONG\| YES\|",
        "timestamp| LONG| NO|",
        "signing",
    ),
    "security type changed": (CHANGE_MARGIN_TYPE, r"\(TRADE\)$", "(USER_DATA)", "security-type"),
    "response example no longer matching": (
        COIN_LIST,
        r'"liabilityQty": 0.3552',
        '"liabilityQty": "0.3552"',
        "response-example-value",
    ),
    "new rule note": (
        SMALL_LIABILITY_EXCHANGE,
        r"^(  \* (?:The maximum number of coin is 10|币种数量最大10个)\n)",
        r"  * Only one exchange per minute\n\1",
        "note-added",
    ),
    "doc page moved": (
        CHANGE_MARGIN_TYPE,
        r"^source_url: .*$",
        "source_url: https://developers.binance.com/docs/derivatives/usds-margined-futures/Change-Margin-Type",
        "doc-url",
    ),
}


@pytest.mark.parametrize("case", SPEC_DRIFT.values(), ids=SPEC_DRIFT.keys())
def test_each_kind_of_drift_is_reported_where_it_is(docs: Docs, case: tuple[str, str, str, str]) -> None:
    prefix, pattern, replacement, kind = case
    # The English half is compared with the spec, the Chinese half with the English one: the finding is
    # at the English edit (the first), and the halves, edited alike, still agree.
    line = docs.edit(prefix, pattern, replacement)[0]
    if kind == "response-example-value":
        # Reported at the example's first line, with the JSON path of the value that does not fit.
        kind, line = "response-example", docs.line_of(prefix, r"^\s+\[\s*$")[0]
    report = docs.check()
    page = docs.page(prefix).name
    assert located(report, kind) == {(page, line)}
    assert all(f.severity == "drift" for f in report.findings if f.kind == kind)
    assert located(report, "languages-disagree") == set()


def test_a_removed_parameter_is_reported_at_the_parameter_table(docs: Docs) -> None:
    docs.edit(CHANGE_MARGIN_TYPE, r"^symbol\| STRING\| YES\|.*\n", "")
    report = docs.check()
    headings = docs.line_of(CHANGE_MARGIN_TYPE, r"^## (Request Parameters|请求参数)")
    assert located(report, "parameter-removed") == {(docs.page(CHANGE_MARGIN_TYPE).name, headings[0])}
    (finding,) = [f for f in report.findings if f.kind == "parameter-removed"]
    assert (
        finding.spec_line is not None
        and "name: symbol" in SPEC_PATH.read_text().split("\n")[finding.spec_line - 1]
    )


def test_a_rule_note_gone_from_the_page_is_drift(docs: Docs) -> None:
    docs.edit(SMALL_LIABILITY_EXCHANGE, r"^  \* Only convert once within 6 hours\n", "", count=1)
    report = docs.check()
    headings = docs.line_of(SMALL_LIABILITY_EXCHANGE, r"^## Request Parameters")
    assert located(report, "rule-removed") == {(docs.page(SMALL_LIABILITY_EXCHANGE).name, headings[0])}


def test_a_response_example_for_an_empty_body_is_drift(docs: Docs) -> None:
    (line,) = docs.edit(
        SMALL_LIABILITY_EXCHANGE,
        r"(## Response Example.*\n)\n---",
        r'\1\n    \n    {  \n      "success": true  \n    }\n\n---',
    )
    report = docs.check()
    assert located(report, "response-example") == {(docs.page(SMALL_LIABILITY_EXCHANGE).name, line + 3)}


def test_artefacts_in_the_example_are_not_drift(docs: Docs) -> None:
    # Non-breaking spaces and tab indentation are how the scraped pages look, not a different example.
    docs.edit(COIN_LIST, r'^(\s+)"asset"', '\\1\u00a0\u00a0\t"asset"')
    assert drift(docs.check()) == []


@pytest.mark.parametrize(
    ("prefix", "pattern", "replacement"),
    [
        (SMALL_LIABILITY_EXCHANGE, r"\*\*3000\(UID\)\*\*\n(?![\s\S]*\*\*3000)", "**300(UID)**\n"),
        (MANUAL_LIQUIDATION, r"^(symbol\| STRING\| NO\| `type`)", r"symbol| STRING| YES| `type`"),
        (CHANGE_MARGIN_TYPE, r"CROSSED\(全仓\)", "CROSSED(全仓), PORTFOLIO(组合)"),
        (
            CHANGE_MARGIN_TYPE,
            r"^POST `/fapi/v1/marginType`\n(?![\s\S]*POST `/fapi)",
            "PUT `/fapi/v1/marginType`\n",
        ),
        (
            COIN_LIST,
            r"^recvWindow\| LONG\| NO\|   \n(?![\s\S]*recvWindow)",
            "recvWindow| LONG| NO|   \nlimit| INT| NO|   \n",
        ),
    ],
    ids=["weight", "mandatory", "enum", "method", "parameter"],
)
def test_the_chinese_half_disagreeing_with_the_english_one(
    docs: Docs, prefix: str, pattern: str, replacement: str
) -> None:
    lines = docs.edit(prefix, pattern, replacement)
    report = docs.check()
    page = docs.page(prefix).name
    # Only the Chinese half changed: the English one still matches the spec.
    assert [f.kind for f in drift(report)] == ["languages-disagree"]
    where = located(report, "languages-disagree")
    assert where == {(page, lines[0])} or (prefix == COIN_LIST and where == {(page, lines[0] + 1)})
