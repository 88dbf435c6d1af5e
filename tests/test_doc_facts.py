"""README.md and docs/ state documented numbers only between spec markers, written from the spec."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator._doc_facts import documents, facts, stale, write
from generator._paths import REPO_ROOT, SPEC_PATH
from generator._spec import load_spec


def test_the_documents_say_what_the_spec_says() -> None:
    assert stale(load_spec(SPEC_PATH)) == []


def test_the_readme_table_has_one_row_per_operation_with_its_weight_and_bucket() -> None:
    spec = load_spec(SPEC_PATH)
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    limits = spec["info"]["x-binance-rate-limits"]
    for item in spec["paths"].values():
        for operation in (op for key, op in item.items() if key in ("get", "post")):
            weight = operation["x-binance-weight"]
            limit = limits[weight["rate_limit"]]
            (row,) = [
                line
                for line in readme.splitlines()
                if line.startswith(f"| {operation['x-binance-doc']['title']['en']} |")
            ]
            assert (
                f"| {weight['value']} ({weight['kind']}) | {limit['limit']} per {limit['interval_seconds']} s"
                in row
            )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copy(REPO_ROOT / "README.md", tmp_path / "README.md")
    shutil.copytree(REPO_ROOT / "docs", tmp_path / "docs")
    return tmp_path


def test_a_spec_change_makes_the_documents_stale_and_generation_makes_them_follow(copy: Path) -> None:
    spec = load_spec(SPEC_PATH)
    operation = spec["paths"]["/sapi/v1/margin/exchange-small-liability"]["get"]
    operation["x-binance-weight"]["value"] = 7777
    assert stale(spec, copy) == [
        "documented facts differ from the spec: README.md",
        "documented facts differ from the spec: docs/saturation-benchmark.md",
    ]
    assert write(spec, copy) == [copy / "README.md", copy / "docs" / "saturation-benchmark.md"]
    assert stale(spec, copy) == []
    readme = (copy / "README.md").read_text(encoding="utf-8")
    assert "| GET `/sapi/v1/margin/exchange-small-liability` | 7777 (IP) |" in readme
    # The derived number (the bucket's limit over the weight) follows too.
    calls = (
        spec["info"]["x-binance-rate-limits"][operation["x-binance-weight"]["rate_limit"]]["limit"] // 7777
    )
    assert f"<!-- spec: calls-per-window:getSmallLiabilityExchangeCoinList -->{calls}<!-- /spec -->" in (
        copy / "docs" / "saturation-benchmark.md"
    ).read_text(encoding="utf-8")


def test_an_unknown_fact_is_an_error(copy: Path) -> None:
    (copy / "docs" / "extra.md").write_text(
        "<!-- spec: weight:noSuchOperation -->1<!-- /spec -->\n", encoding="utf-8"
    )
    (problem,) = stale(load_spec(SPEC_PATH), copy)
    assert "no spec fact named 'weight:noSuchOperation'" in problem


def test_every_marked_fact_is_one_the_spec_has() -> None:
    known = facts(yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8")))
    marked = [
        name
        for document in documents()
        for name in re.findall(r"(?<!`)<!-- spec: ([\w:.-]+) -->", document.read_text(encoding="utf-8"))
    ]
    assert marked and set(marked) <= set(known)


def test_a_fact_written_out_by_hand_in_prose_is_reported_with_its_line(copy: Path) -> None:
    spec = load_spec(SPEC_PATH)
    (copy / "docs" / "extra.md").write_text(
        "Marked: once per <!-- spec: interval:smallLiabilityExchange -->6 h<!-- /spec -->.\n"
        "\n"
        "```python\n"
        "client.exchange_small_liability(['BTC'])  # code is run by the docs tests, not scanned\n"
        "advance(6 * 3600)  # six hours\n"
        "```\n"
        "\n"
        "The six-hour guard refuses a second exchange, and each coin must be below 10 USDT.\n",
        encoding="utf-8",
    )
    problems = [problem for problem in stale(spec, copy) if problem.startswith("docs/extra.md")]
    assert [problem.split(" is the spec's ")[0] for problem in problems] == [
        "docs/extra.md:8: 'six-hour'",
        "docs/extra.md:8: '10 USDT'",
    ]
    assert "interval:smallLiabilityExchange" in problems[0] and "below:smallLiabilityExchange" in problems[1]
