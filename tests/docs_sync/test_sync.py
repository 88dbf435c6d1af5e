"""docs-sync writes the spec patch for each mechanical kind of drift into a copy of the spec; the copy
regenerates into a fresh client that follows the change, and the docs check then finds no drift."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator._exact import DECIMAL_PATTERN
from generator._generate import check as generated_check
from generator._generate import generate
from generator._paths import GENERATED_PACKAGE, SPEC_PATH
from generator.docs_check import check
from generator.docs_sync import main

from ..docs_check.conftest import (
    CHANGE_MARGIN_TYPE,
    COIN_LIST,
    MANUAL_LIQUIDATION,
    SMALL_LIABILITY_EXCHANGE,
    SNAPSHOT,
    Docs,
    drift,
)

SLE = ("paths", "/sapi/v1/margin/exchange-small-liability", "post")
COINS = ("paths", "/sapi/v1/margin/exchange-small-liability", "get")
MML = ("paths", "/sapi/v1/margin/manual-liquidation", "post")
# The weights as the committed spec says them (the planted values are what changes).
ORIGINAL_WEIGHTS = {
    op["operationId"]: op["x-binance-weight"]
    for item in yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))["paths"].values()
    for op in item.values()
    if isinstance(op, dict) and "operationId" in op
}
CMT = ("paths", "/fapi/v1/marginType", "post")


@dataclass
class Workspace:
    docs: Docs
    spec: Path
    client: Path

    def load(self) -> dict[str, Any]:
        loaded: dict[str, Any] = yaml.safe_load(self.spec.read_text(encoding="utf-8"))
        return loaded

    def at(self, *pointer: str) -> Any:
        node: Any = self.load()
        for key in pointer:
            if key[:1] == "@":
                node = next(item for item in node if item.get("name") == key[1:])
            else:
                node = node[int(key)] if isinstance(node, list) else node[key]
        return node

    def sync(self, *extra: str) -> int:
        return main([str(self.docs.dir), "--spec", str(self.spec), *extra])

    def metadata(self) -> Any:
        """The regenerated spec_metadata module."""
        found = importlib.util.spec_from_file_location(
            "regenerated_metadata", self.client / "spec_metadata.py"
        )
        assert found is not None and found.loader is not None
        module = importlib.util.module_from_spec(found)
        sys.modules[found.name] = module  # dataclasses look their module up there
        try:
            found.loader.exec_module(module)
        finally:
            del sys.modules[found.name]
        return module


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A copy of the snapshot, the spec and the generated client."""
    shutil.copytree(SNAPSHOT, tmp_path / "docs")
    spec = tmp_path / "spec" / "openapi.yaml"
    spec.parent.mkdir()
    shutil.copy(SPEC_PATH, spec)
    client = tmp_path / "generated" / GENERATED_PACKAGE.name
    shutil.copytree(GENERATED_PACKAGE, client, ignore=shutil.ignore_patterns("__pycache__"))
    return Workspace(Docs(tmp_path / "docs"), spec, client)


# (pages and edits, what the written spec must say, and what the regenerated client must say: a check
# of its metadata module, or a generated file and a text in it)
Edits = list[tuple[str, str, str]]
Follows = Callable[[Any], bool] | tuple[str, str]
KINDS: dict[str, tuple[Edits, Callable[[Workspace], bool], Follows]] = {
    "weight value": (
        [(SMALL_LIABILITY_EXCHANGE, r"\*\*\d+\(UID\)\*\*", "**7777(UID)**")],
        lambda w: w.at(*SLE, "x-binance-weight")
        == {**ORIGINAL_WEIGHTS["smallLiabilityExchange"], "value": 7777},
        lambda m: m.OPERATIONS["smallLiabilityExchange"].weight == 7777,
    ),
    "weight kind, with its rate-limit bucket": (
        [(COIN_LIST, r"^(## (?:Request Weight|请求权重))\(IP\)", r"\1(UID)")],
        lambda w: w.at(*COINS, "x-binance-weight")
        == {**ORIGINAL_WEIGHTS["getSmallLiabilityExchangeCoinList"], "kind": "UID", "rate_limit": "sapi-uid"},
        lambda m: (
            m.OPERATIONS["getSmallLiabilityExchangeCoinList"].weight_kind,
            m.OPERATIONS["getSmallLiabilityExchangeCoinList"].rate_limit,
        )
        == ("UID", "sapi-uid"),
    ),
    "parameter added": (
        [
            (
                MANUAL_LIQUIDATION,
                r"^symbol\| STRING\| NO\|",
                "autoRepay| STRING| NO| `TRUE`,`FALSE`  \nsymbol| STRING| NO|",
            )
        ],
        lambda w: w.at(*MML, "parameters", "@autoRepay")
        == {
            "name": "autoRepay",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": ["TRUE", "FALSE"]},
        },
        ("api/margin/margin_manual_liquidation.py", "auto_repay: MarginManualLiquidationAutoRepay | Unset"),
    ),
    "parameter removed": (
        [(CHANGE_MARGIN_TYPE, r"^symbol\| STRING\| YES\|.*\n", "")],
        lambda w: [p["name"] for p in w.at(*CMT, "parameters")] == ["marginType"],
        lambda m: [p.name for p in m.OPERATIONS["changeMarginType"].parameters] == ["marginType"],
    ),
    "parameter type": (
        [(CHANGE_MARGIN_TYPE, r"^symbol\| STRING\|", "symbol| LONG|")],
        lambda w: w.at(*CMT, "parameters", "@symbol", "schema") == {"type": "integer"},
        ("api/futures/change_margin_type.py", "symbol: int,"),
    ),
    "parameter mandatory": (
        [(MANUAL_LIQUIDATION, r"^symbol\| STRING\| NO\|", "symbol| STRING| YES|")],
        lambda w: w.at(*MML, "parameters", "@symbol", "required") is True,
        lambda m: m.OPERATIONS["marginManualLiquidation"].parameter("symbol").required is True,
    ),
    "enum values": (
        [(CHANGE_MARGIN_TYPE, r"CROSSED(\(全仓\))?  $", r"CROSSED\1, PORTFOLIO  ")],
        lambda w: w.at("components", "schemas", "FuturesMarginType", "enum")
        == ["ISOLATED", "CROSSED", "PORTFOLIO"],
        ("models/futures_margin_type.py", 'PORTFOLIO = "PORTFOLIO"'),
    ),
    "maximum number of coins (the rule and maxItems)": (
        [(SMALL_LIABILITY_EXCHANGE, r"(The maximum number of coin is |币种数量最大)\d+", r"\g<1>97")],
        lambda w: w.at(*SLE, "x-binance-rules", "2", "maximum") == 97
        and w.at(*SLE, "parameters", "0", "schema", "maxItems") == 97
        and w.at(*SLE, "x-binance-rules", "2", "doc_zh") == "币种数量最大97个",
        lambda m: m.OPERATIONS["smallLiabilityExchange"].parameter("assetNames").max_items == 97
        and m.OPERATIONS["smallLiabilityExchange"].rules[2].maximum == 97,
    ),
    "interval of the once-per rule": (
        [(SMALL_LIABILITY_EXCHANGE, r"(within |限流)\d+( hours|小时)", r"\g<1>97\2")],
        lambda w: w.at(*SLE, "x-binance-rules", "0", "interval_seconds") == 97 * 3600,
        lambda m: m.OPERATIONS["smallLiabilityExchange"].rules[0]
        == m.OncePerInterval("Only convert once within 97 hours", 97 * 3600, "account"),
    ),
    "liability value limit": (
        [(SMALL_LIABILITY_EXCHANGE, r"(less than |小于)\d+( ?USDT)", r"\g<1>97\2")],
        lambda w: w.at(*SLE, "x-binance-rules", "1", "below") == 97,
        lambda m: m.OPERATIONS["smallLiabilityExchange"].rules[1].below == 97,
    ),
    "response field added": (
        [(MANUAL_LIQUIDATION, r'("liabilityQty": 0.3552)', '\\1,  \n      "autoRepay": true')],
        lambda w: w.at("components", "schemas", "LiabilityCoin", "properties", "autoRepay")
        == {"type": "boolean"},
        ("models/liability_coin.py", "auto_repay: bool | Unset = UNSET"),
    ),
    "response field gone": (
        [
            (COIN_LIST, r'^\s+"principal": "0.001",  \n', ""),
            (MANUAL_LIQUIDATION, r'^\s+"principal": "0.001",  \n', ""),
        ],
        lambda w: "principal" not in w.at("components", "schemas", "LiabilityCoin", "required"),
        ("models/liability_coin.py", "principal: Decimal | Unset = UNSET"),  # still an exact amount
    ),
    "response field type": (
        [
            (page, r'"liabilityQty": 0.3552', '"liabilityQty": "0.3552"')
            for page in (COIN_LIST, MANUAL_LIQUIDATION)
        ],
        # An exact amount stays one: as a string it carries the plain-decimal pattern.
        lambda w: w.at("components", "schemas", "LiabilityCoin", "properties", "liabilityQty")
        == {"type": "string", "x-binance-decimal": True, "pattern": DECIMAL_PATTERN},
        ("models/liability_coin.py", "decimal_to_json_string(self.liability_qty)"),
    ),
    "the doc's updated_at (and the docs date)": (
        [(SMALL_LIABILITY_EXCHANGE, r"^updated_at: .*$", "updated_at: 2026-03-02T08:00:00.000001")],
        lambda w: w.at(*SLE, "x-binance-doc", "updated_at") == "2026-03-02T08:00:00.000001"
        and w.at("info", "x-binance-docs-checked-at") == "2026-03-02T08:00:00",
        lambda m: m.DOCS_CHECKED_AT == "2026-03-02T08:00:00"
        and m.OPERATIONS["smallLiabilityExchange"].doc_updated_at == "2026-03-02T08:00:00.000001",
    ),
}


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_each_mechanical_kind_is_written_regenerates_fresh_and_leaves_no_drift(
    workspace: Workspace, kind: tuple[Edits, Callable[[Workspace], bool], Follows]
) -> None:
    edits, written, follows = kind
    for page, pattern, replacement in edits:
        workspace.docs.edit(page, pattern, replacement)
    assert drift(check(workspace.docs.dir, workspace.spec)) or "updated_at" in edits[0][1]
    assert workspace.sync("--write") == 0
    assert written(workspace)
    generate(workspace.spec, workspace.client)
    assert generated_check(workspace.spec, workspace.client) == []
    if isinstance(follows, tuple):
        generated_file, text = follows
        assert text in (workspace.client / generated_file).read_text(encoding="utf-8")
    else:
        assert follows(workspace.metadata())
    report = check(workspace.docs.dir, workspace.spec)
    assert drift(report) == [] and not [f for f in report.findings if f.kind == "page-updated"]


def test_the_patch_changes_the_edited_line_only(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.docs.edit(SMALL_LIABILITY_EXCHANGE, r"\*\*\d+\(UID\)\*\*", "**7777(UID)**")
    before = workspace.spec.read_text(encoding="utf-8")
    assert workspace.sync("--write") == 0
    diff = capsys.readouterr().out
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    weight = ORIGINAL_WEIGHTS["smallLiabilityExchange"]
    flow = "{{value: {}, kind: {kind}, rate_limit: {rate_limit}}}"
    assert changed == [
        f"-      x-binance-weight: {flow.format(weight['value'], **weight)}",
        f"+      x-binance-weight: {flow.format(7777, **weight)}",
    ]
    after = workspace.spec.read_text(encoding="utf-8")
    # Comments, quoting and flow mappings elsewhere are the file's own: one line differs.
    assert [
        pair for pair in zip(before.split("\n"), after.split("\n"), strict=True) if pair[0] != pair[1]
    ] == [(changed[0][1:], changed[1][1:])]


def test_unchanged_pages_leave_the_spec_byte_identical(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    before = workspace.spec.read_bytes()
    assert workspace.sync("--write") == 0
    assert capsys.readouterr().out == ""
    assert workspace.spec.read_bytes() == before


def test_without_write_the_patch_is_only_printed(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.docs.edit(CHANGE_MARGIN_TYPE, r"^\*\*\d+\*\*", "**7777**")
    before = workspace.spec.read_bytes()
    assert workspace.sync() == 0
    assert "+      x-binance-weight: {value: 7777, " in capsys.readouterr().out
    assert workspace.spec.read_bytes() == before


@pytest.mark.parametrize(
    ("page", "pattern", "replacement", "half", "kind"),
    [
        (
            SMALL_LIABILITY_EXCHANGE,
            r"^(  \* The maximum)",
            r"  * Only one exchange per minute\n\1",
            "",
            "note-added",
        ),
        (SMALL_LIABILITY_EXCHANGE, r"\*\*\d+\(UID\)\*\*", "**7777(UID)**", "zh", "languages-disagree"),
        (CHANGE_MARGIN_TYPE, r"^POST `/fapi/v1/marginType`", "POST `/fapi/v2/marginType`", "", "endpoint"),
    ],
    ids=["new note", "halves disagree", "endpoint moved"],
)
def test_what_it_cannot_translate_is_listed_and_left_alone(
    workspace: Workspace,
    capsys: pytest.CaptureFixture[str],
    page: str,
    pattern: str,
    replacement: str,
    half: str,
    kind: str,
) -> None:
    workspace.docs.edit(page, pattern, replacement, half=half)
    before = workspace.spec.read_bytes()
    report_file = workspace.spec.parent / "report.md"
    assert workspace.sync("--write", "--report", str(report_file)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"needs a human: {kind} at " in captured.err
    assert workspace.spec.read_bytes() == before
    report = report_file.read_text(encoding="utf-8")
    assert "### Left for a human" in report and f"`{kind}`" in report


def test_a_change_log_entry_to_read_keeps_the_docs_date(workspace: Workspace) -> None:
    workspace.docs.edit(
        "margin_trading/change-log.md",
        r"^(# Change Log\n\n)",
        r"\1## 2026-03-01\n\n  * Signature rules change\n\n",
    )
    workspace.docs.edit(
        SMALL_LIABILITY_EXCHANGE, r"^updated_at: .*$", "updated_at: 2026-03-02T08:00:00.000001"
    )
    assert workspace.sync("--write") == 1
    # The page's own date follows; the docs date waits for a human to read the entry.
    assert workspace.at(*SLE, "x-binance-doc", "updated_at") == "2026-03-02T08:00:00.000001"
    assert workspace.at("info", "x-binance-docs-checked-at") == "2026-01-15T23:48:59"
