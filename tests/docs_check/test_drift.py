"""Planted changes in copies of the snapshot: each is reported, where it was made, and nothing else.

Facts (endpoint, security type, weight, parameters, enums, rule numbers, response fields) are compared
English-to-spec and Chinese-to-English: edited in both halves alike they are reported once, at the
English line; edited in one half only they are `languages-disagree` at the edited line. Texts (title,
API description, parameter descriptions, notes, rules) are compared with the spec's wording per half.
"""

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
    drift_at,
    located,
)


def test_the_committed_snapshot_reports_no_drift(snapshot: Path) -> None:
    report = check(snapshot, SPEC_PATH)
    assert drift(report) == []
    # Every page was read as what it is: four operations compared, the change log read.
    assert {f.kind for f in report.findings} <= {"change-log"}


def test_an_unchanged_copy_reports_nothing_about_its_operation_pages(docs: Docs) -> None:
    report = docs.check()
    assert [f for f in report.findings if f.kind != "change-log"] == []
    assert not report.drift


# (page, pattern, replacement, the kind reported at the English edit): edited in both halves alike.
FACTS = {
    "weight value": (SMALL_LIABILITY_EXCHANGE, r"\*\*\d+\(UID\)\*\*", "**7777(UID)**", "weight-value"),
    "weight kind, after the value": (
        SMALL_LIABILITY_EXCHANGE,
        r"\*\*(\d+)\(UID\)\*\*",
        r"**\1(IP)**",
        "weight-kind",
    ),
    "weight kind, in the heading": (
        COIN_LIST,
        r"^(## (?:Request Weight|请求权重))\(IP\)",
        r"\1(UID)",
        "weight-kind",
    ),
    "weight kind, stated on a futures page": (
        CHANGE_MARGIN_TYPE,
        r"^\*\*(\d+)\*\*",
        r"**\1(UID)**",
        "weight-kind",
    ),
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
    "enum reduced to one value": (CHANGE_MARGIN_TYPE, r", CROSSED(\(全仓\))?  $", "  ", "parameter-enum"),
    "enum reduced to one back-quoted value": (
        MANUAL_LIQUIDATION,
        r"^type\| STRING\| YES\| `MARGIN`,`ISOLATED`",
        "type| STRING| YES| `MARGIN`",
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
    "security type dropped from the title": (CHANGE_MARGIN_TYPE, r"\s*\(TRADE\)$", "", "security-type"),
    "response field of another type": (
        COIN_LIST,
        r'"liabilityQty": 0.3552',
        '"liabilityQty": "0.3552"',
        "response-field-type",
    ),
    "maximum number of coins": (
        SMALL_LIABILITY_EXCHANGE,
        r"(The maximum number of coin is |币种数量最大)\d+",
        r"\g<1>97",
        "rule-value",
    ),
    "interval of the once-per rule": (
        SMALL_LIABILITY_EXCHANGE,
        r"(within |限流)\d+( hours|小时)",
        r"\g<1>97\2",
        "rule-value",
    ),
    "liability value limit": (
        SMALL_LIABILITY_EXCHANGE,
        r"(less than |小于)\d+( ?USDT)",
        r"\g<1>97\2",
        "rule-value",
    ),
    "doc page moved": (
        CHANGE_MARGIN_TYPE,
        r"^source_url: .*$",
        "source_url: https://developers.binance.com/docs/derivatives/usds-margined-futures/Change-Margin-Type",
        "doc-url",
    ),
}


@pytest.mark.parametrize("case", FACTS.values(), ids=FACTS.keys())
def test_a_fact_changed_in_both_halves_is_reported_once_at_the_english_line(
    docs: Docs, case: tuple[str, str, str, str]
) -> None:
    page, pattern, replacement, kind = case
    line = docs.edit(page, pattern, replacement)[0]
    assert drift_at(docs.check()) == {(kind, page, line)}


def test_a_new_field_in_the_response_example_is_reported_at_the_field(docs: Docs) -> None:
    docs.edit(MANUAL_LIQUIDATION, r'("liabilityQty": 0.3552)', '\\1,  \n      "autoRepay": true')
    (english, _) = docs.line_of(MANUAL_LIQUIDATION, r'"autoRepay"')
    assert drift_at(docs.check()) == {("response-field-added", MANUAL_LIQUIDATION, english)}


def test_a_field_gone_from_the_response_example_is_reported_at_the_example(docs: Docs) -> None:
    docs.edit(COIN_LIST, r'^\s+"principal": "0.001",  \n', "")
    (english, _) = docs.line_of(COIN_LIST, r"^\s+\[\s*$")
    assert drift_at(docs.check()) == {("response-field-missing", COIN_LIST, english)}


# (page, pattern, replacement) applied to the Chinese half only: `languages-disagree` at the edit.
CHINESE_ONLY = {
    "weight": (SMALL_LIABILITY_EXCHANGE, r"\*\*\d+\(UID\)\*\*", "**7777(UID)**"),
    "mandatory": (MANUAL_LIQUIDATION, r"^symbol\| STRING\| NO\|", "symbol| STRING| YES|"),
    "enum value added": (CHANGE_MARGIN_TYPE, r"CROSSED\(全仓\)", "CROSSED(全仓), PORTFOLIO(组合)"),
    "enum reduced to one value": (CHANGE_MARGIN_TYPE, r", CROSSED\(全仓\)", ""),
    "method": (CHANGE_MARGIN_TYPE, r"^POST `/fapi/v1/marginType`", "PUT `/fapi/v1/marginType`"),
    "security type dropped": (CHANGE_MARGIN_TYPE, r"\s*\(TRADE\)$", ""),
    "maximum number of coins (币种数量最大10个 → 20个)": (SMALL_LIABILITY_EXCHANGE, r"最大\d+个", "最大97个"),
    "interval (6小时 → 12小时)": (SMALL_LIABILITY_EXCHANGE, r"限流\d+小时", "限流97小时"),
    "new field in the response example": (
        MANUAL_LIQUIDATION,
        r'"liabilityQty": 0.3552',
        '"liabilityQty": 0.3552,\n      "autoRepay": true',
    ),
}


@pytest.mark.parametrize("case", CHINESE_ONLY.values(), ids=CHINESE_ONLY.keys())
def test_a_fact_changed_in_the_chinese_half_only_is_reported_there(
    docs: Docs, case: tuple[str, str, str]
) -> None:
    page, pattern, replacement = case
    (line,) = docs.edit(page, pattern, replacement, half="zh")
    if "autoRepay" in replacement:
        line += 1  # at the new field, not at the field before it
    assert drift_at(docs.check()) == {("languages-disagree", page, line)}


def test_a_parameter_only_the_chinese_half_lists_is_reported_at_its_row(docs: Docs) -> None:
    (line,) = docs.edit(COIN_LIST, r"^(recvWindow\| LONG\| NO\|   \n)", r"\1limit| INT| NO|   \n", half="zh")
    assert drift_at(docs.check()) == {("languages-disagree", COIN_LIST, line + 1)}


def test_a_rule_number_changed_in_the_english_half_only_disagrees_with_the_chinese(docs: Docs) -> None:
    (line,) = docs.edit(SMALL_LIABILITY_EXCHANGE, r"coin is \d+$", "coin is 97", half="en")
    report = docs.check()
    assert drift_at(report) == {("languages-disagree", SMALL_LIABILITY_EXCHANGE, line)}
    # Which half is right is not for the check to guess: nothing is proposed.
    assert all(f.fix == () for f in drift(report))


# (page, pattern, replacement, kind, the line reported relative to the edit) for each half's wording.
WORDING = {
    "retirement notice in the API description": {
        "en": (
            SMALL_LIABILITY_EXCHANGE,
            r"^Small Liability Exchange$",
            "Small Liability Exchange\n\nThis endpoint will be retired on 2026-06-01.",
        ),
        "zh": (
            SMALL_LIABILITY_EXCHANGE,
            r"^全仓杠杆小额负债转换$",
            "全仓杠杆小额负债转换\n\n该接口将于2026-06-01下线。",
        ),
        "kind": ("description", 2),
    },
    "new limit in a parameter's description": {
        "en": (SMALL_LIABILITY_EXCHANGE, r"(assetNames = BTC,ETH)  $", r"\1, at most 5 assets  "),
        "zh": (SMALL_LIABILITY_EXCHANGE, r"(assetNames = BTC,ETH)  $", r"\1，最多5个  "),
        "kind": ("parameter-description", 0),
    },
    "description given to recvWindow": {
        "en": (COIN_LIST, r"^recvWindow\| LONG\| NO\|   $", "recvWindow| LONG| NO| at most one minute  "),
        "zh": (COIN_LIST, r"^recvWindow\| LONG\| NO\|   $", "recvWindow| LONG| NO| 不能大于一分钟  "),
        "kind": ("parameter-description", 0),
    },
    "new note": {
        "en": (SMALL_LIABILITY_EXCHANGE, r"^(  \* The maximum)", r"  * Only one exchange per minute\n\1"),
        "zh": (SMALL_LIABILITY_EXCHANGE, r"^(  \* 币种数量)", r"  * 每分钟最多一次\n\1"),
        "kind": ("note-added", 0),
    },
    "new paragraph in the request section": {
        "en": (CHANGE_MARGIN_TYPE, r"^(POST `/fapi/v1/marginType`)$", r"\1\n\nThis endpoint is deprecated."),
        "zh": (CHANGE_MARGIN_TYPE, r"^(POST `/fapi/v1/marginType`)$", r"\1\n\n该接口已弃用。"),
        "kind": ("note-added", 2),
    },
    "title renamed": {
        "en": (CHANGE_MARGIN_TYPE, r"^# Change Margin Type", "# Change Margin Mode"),
        "zh": (CHANGE_MARGIN_TYPE, r"^# 变换逐全仓模式", "# 变换保证金模式"),
        "kind": ("title", 0),
    },
}


@pytest.mark.parametrize("half", ["en", "zh"])
@pytest.mark.parametrize("case", WORDING.values(), ids=WORDING.keys())
def test_a_wording_change_is_reported_in_its_half(
    docs: Docs, case: dict[str, tuple[str, ...]], half: str
) -> None:
    page, pattern, replacement = case[half]
    kind, offset = case["kind"]
    (line,) = docs.edit(page, pattern, replacement, half=half)
    found = {(f.kind, f.language, f.line) for f in drift(docs.check())}
    assert found == {(kind, half, line + int(offset))}


@pytest.mark.parametrize(
    ("half", "pattern", "replacement"),
    [
        ("en", r"Classic Mode and Pro Mode", "Classic Mode only"),
        ("zh", r"全仓经典模式和专业模式", "全仓经典模式"),
    ],
)
def test_a_reworded_note_is_a_new_note_and_a_missing_one(
    docs: Docs, half: str, pattern: str, replacement: str
) -> None:
    (line,) = docs.edit(MANUAL_LIQUIDATION, pattern, replacement, half=half)
    table = docs.line_of(MANUAL_LIQUIDATION, r"^## (Request Parameters|请求参数)")[half == "zh"]
    found = {(f.kind, f.language, f.line) for f in drift(docs.check())}
    assert found == {("note-added", half, line), ("note-removed", half, table)}


@pytest.mark.parametrize("half", ["en", "zh"])
@pytest.mark.parametrize(
    ("page", "pattern", "kind"),
    [
        (
            SMALL_LIABILITY_EXCHANGE,
            r"^  \* (?:Only convert once within \d+ hours|兑换请求限流\d+小时一次)\n",
            "rule-removed",
        ),
        (
            MANUAL_LIQUIDATION,
            r"^  \* (?:And only support Isolated Margin for restricted region\.|逐仓仅支持受限区域。)\n",
            "note-removed",
        ),
    ],
    ids=["rule", "note"],
)
def test_a_rule_or_note_gone_from_one_half_is_reported_at_its_parameter_table(
    docs: Docs, page: str, pattern: str, kind: str, half: str
) -> None:
    docs.edit(page, pattern, "", half=half)
    headings = docs.line_of(page, r"^## (Request Parameters|请求参数)")
    report = docs.check()
    assert {(f.kind, f.language, f.line) for f in drift(report)} == {(kind, half, headings[half == "zh"])}


def test_a_removed_parameter_is_reported_at_the_parameter_table(docs: Docs) -> None:
    docs.edit(CHANGE_MARGIN_TYPE, r"^symbol\| STRING\| YES\|.*\n", "")
    report = docs.check()
    headings = docs.line_of(CHANGE_MARGIN_TYPE, r"^## (Request Parameters|请求参数)")
    assert drift_at(report) == {("parameter-removed", CHANGE_MARGIN_TYPE, headings[0])}
    (finding,) = [f for f in report.findings if f.kind == "parameter-removed"]
    assert (
        finding.spec_line is not None
        and "name: symbol" in SPEC_PATH.read_text().split("\n")[finding.spec_line - 1]
    )


def test_a_response_example_for_an_empty_body_is_drift(docs: Docs) -> None:
    (line,) = docs.edit(
        SMALL_LIABILITY_EXCHANGE,
        r"(## Response Example.*\n)\n---",
        r'\1\n    \n    {  \n      "success": true  \n    }\n\n---',
    )
    report = docs.check()
    assert located(report, "response-example") == {(SMALL_LIABILITY_EXCHANGE, line + 3)}


# Edits that change how the page is written, not what it says: no drift at all.
COSMETIC = {
    "bold label": (MANUAL_LIQUIDATION, r"^(Additional notes:|备注:)", r"**\1**"),
    "full-width parentheses in the titles": (CHANGE_MARGIN_TYPE, r"\((TRADE)\)$", r"（\1）"),
    "full-width comma made ASCII": (SMALL_LIABILITY_EXCHANGE, r"(exchange|列表)，", r"\1, "),
    "ASCII comma made full-width": (MANUAL_LIQUIDATION, r"`ISOLATED`, `symbol`", "`ISOLATED`， `symbol`"),
    "bold in a note": (SMALL_LIABILITY_EXCHANGE, r"\d+ ?USDT", r"**\g<0>**"),
    "code marks in a description": (
        CHANGE_MARGIN_TYPE,
        r"ISOLATED(\(逐仓\))?, CROSSED",
        r"`ISOLATED`\1, `CROSSED`",
    ),
    "reordered parameter rows": (
        MANUAL_LIQUIDATION,
        r"^(type\| STRING\| YES\|.*\n)(symbol\| STRING\| NO\|.*\n)",
        r"\2\1",
    ),
    "reordered notes": (
        SMALL_LIABILITY_EXCHANGE,
        r"^(  \* Only convert.*\n|  \* 兑换请求.*\n)(  \* Only liab.*\n|  \* 币种负债.*\n)",
        r"\2\1",
    ),
    "request line with the signing method": (
        CHANGE_MARGIN_TYPE,
        r"^(POST `/fapi/v1/marginType`)$",
        r"\1 (HMAC SHA256)",
    ),
    "non-breaking spaces and tabs in the example": (COIN_LIST, r'^(\s+)"asset"', '\\1\u00a0\u00a0\t"asset"'),
}


@pytest.mark.parametrize("case", COSMETIC.values(), ids=COSMETIC.keys())
def test_a_cosmetic_edit_is_not_drift(docs: Docs, case: tuple[str, str, str]) -> None:
    docs.edit(*case)
    assert drift(docs.check()) == []


@pytest.mark.parametrize("page", [SMALL_LIABILITY_EXCHANGE, CHANGE_MARGIN_TYPE])
def test_a_byte_order_mark_and_crlf_line_ends_are_not_drift(docs: Docs, page: str) -> None:
    path = docs.page(page)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    report = docs.check()
    assert drift(report) == []
    assert [f for f in report.findings if f.kind != "change-log"] == []
