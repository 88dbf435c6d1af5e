"""Exit codes and output of `python -m generator docs-check`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from binance_margin_api.spec_metadata import OPERATIONS

from generator._paths import REPO_ROOT
from generator.docs_check import EXIT_DRIFT, EXIT_OK, EXIT_UNREADABLE, main

from .conftest import CHANGE_MARGIN_TYPE, COIN_LIST, Docs


def test_exit_0_and_a_table_when_the_spec_matches(snapshot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(snapshot)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("## Binance docs check: no drift")
    assert "| INFO | change-log |" in out


def test_exit_1_and_the_drift_in_the_table(docs: Docs, capsys: pytest.CaptureFixture[str]) -> None:
    (line, _) = docs.edit(CHANGE_MARGIN_TYPE, r"^\*\*\d+\*\*", "**7777**")
    assert main([str(docs.dir)]) == EXIT_DRIFT
    out = capsys.readouterr().out
    assert "drift found" in out
    where = f"{docs.page(CHANGE_MARGIN_TYPE)}:{line}"
    assert f"| DRIFT | weight-value | {where} | changeMarginType | 7777 (no kind stated) |" in out


def test_json_output(docs: Docs, capsys: pytest.CaptureFixture[str]) -> None:
    (line, _) = docs.edit(CHANGE_MARGIN_TYPE, r"^\*\*\d+\*\*", "**7777**")
    assert main([str(docs.dir), "--json"]) == EXIT_DRIFT
    document = json.loads(capsys.readouterr().out)
    assert document["drift"] is True
    (finding,) = [f for f in document["findings"] if f["severity"] == "drift"]
    assert (finding["kind"], finding["file"], finding["line"]) == (
        "weight-value",
        str(docs.page(CHANGE_MARGIN_TYPE)),
        line,
    )
    spec = OPERATIONS["changeMarginType"]
    assert finding["spec"] == f"{spec.weight} ({spec.weight_kind})" and isinstance(finding["spec_line"], int)


def test_exit_2_on_a_page_without_front_matter(docs: Docs, capsys: pytest.CaptureFixture[str]) -> None:
    page = docs.page(COIN_LIST)
    page.write_text(page.read_text(encoding="utf-8").replace("---\n", "", 1), encoding="utf-8")
    assert main([str(docs.dir)]) == EXIT_UNREADABLE
    assert f"{page}:1: no front matter" in capsys.readouterr().err


def test_exit_2_on_a_response_example_that_is_not_json(
    docs: Docs, capsys: pytest.CaptureFixture[str]
) -> None:
    (line, *_) = docs.edit(COIN_LIST, r'"liabilityQty": 0.3552', '"liabilityQty": 0.3552,,')
    assert main([str(docs.dir), "--json"]) == EXIT_UNREADABLE
    captured = capsys.readouterr()
    assert json.loads(captured.out)["error"]["line"] == line
    assert f"{docs.page(COIN_LIST)}:{line}: the response example is not JSON" in captured.err


def test_exit_2_on_a_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "absent")]) == EXIT_UNREADABLE
    assert "not a directory" in capsys.readouterr().err


def test_the_module_entry_point(snapshot: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "docs-check", str(snapshot), "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["drift"] is False
