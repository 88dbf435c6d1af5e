"""The docs loop's workflow (valid for GitHub, doing what scripts/refresh-docs does) and the script
itself, run on a copy of the repository."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator._paths import REPO_ROOT

from .conftest import COIN_LIST, Docs

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "regenerate-on-docs-change.yml"


def test_the_workflow_is_valid_for_github() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _steps() -> list[dict[str, Any]]:
    workflow: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the `on` key as True
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    steps: list[dict[str, Any]] = workflow["jobs"]["refresh"]["steps"]
    return steps


def test_the_workflow_installs_redis_refreshes_without_skips_and_opens_one_pull_request() -> None:
    steps = _steps()
    runs = [str(step.get("run", "")) for step in steps]
    redis = next(i for i, run in enumerate(runs) if "apt-get install -y -qq redis-server" in run)
    refresh = next(i for i, run in enumerate(runs) if "scripts/refresh-docs --no-skips" in run)
    install = next(i for i, run in enumerate(runs) if run.strip() == "scripts/install")
    assert install < refresh and "--no-install" in runs[refresh]  # installed once, before the refresh
    (pull_request,) = [
        i for i, step in enumerate(steps) if str(step.get("uses", "")).startswith("peter-evans/")
    ]
    assert redis < refresh < pull_request
    opened = steps[pull_request]
    # One branch, updated by every run; only when the refresh changed something.
    assert opened["with"]["branch"] == "docs-refresh/binance"
    assert opened["if"] == "steps.refresh.outputs.changed == 'true'"
    assert opened["with"]["body-path"].endswith("pr-body.md") and "--report" in runs[refresh]
    assert set(opened["with"]["add-paths"].split()) == {
        "spec/**",
        "generated_client/**",
        "README.md",
        "docs/**",
    }


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A copy of this checkout as its own git repository, sharing this checkout's .venv."""
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".*_cache", ".hypothesis")
    shutil.copytree(REPO_ROOT, copy, ignore=ignore)
    (copy / ".venv").symlink_to(REPO_ROOT / ".venv")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=copy, check=True)
    subprocess.run([*git, "add", "-A"], cwd=copy, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "copy"], cwd=copy, check=True)
    return copy


def _refresh(repository: Path, pages: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["scripts/refresh-docs", "--from", str(pages), "--no-tests", "--no-install", "--report", "report.md"],
        cwd=repository,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_refresh_docs_turns_one_changed_weight_into_a_one_number_spec_diff(
    repository: Path, docs: Docs
) -> None:
    docs.edit(COIN_LIST, r"^\*\*\d+\*\*$", "**7777**")
    result = _refresh(repository, docs.dir)
    assert result.returncode == 0, result.stderr
    diff = subprocess.run(
        ["git", "diff", "-U0", "--", "spec/openapi.yaml"],
        cwd=repository,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    changed = [line for line in diff.splitlines() if re.match(r"^[-+] ", line)]
    assert len(changed) == 2 and changed[0].startswith("-      x-binance-weight: {value: ")
    assert changed[1] == "+" + re.sub(r"value: \d+", "value: 7777", changed[0][1:])
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repository, capture_output=True, text=True, check=True
    ).stdout
    assert {line[3:] for line in status.splitlines()} == {
        "spec/openapi.yaml",
        f"spec/docs/{COIN_LIST}",
        "generated_client/binance_margin_api/spec_metadata.py",
        "README.md",
        "docs/saturation-benchmark.md",
        "report.md",
    }
    fresh = subprocess.run(
        [".venv/bin/python", "-m", "generator", "--check"],
        cwd=repository,
        capture_output=True,
        text=True,
        check=False,
    )
    assert fresh.returncode == 0, fresh.stderr
    assert "| 7777 (IP) |" in (repository / "README.md").read_text(encoding="utf-8")
    report = (repository / "report.md").read_text(encoding="utf-8")
    assert "| DRIFT | weight-value |" in report and "#### Binance docs check: no drift" in report


def test_refresh_docs_with_unchanged_pages_changes_nothing(repository: Path) -> None:
    result = _refresh(repository, repository / "spec" / "docs")
    assert result.returncode == 0, result.stderr
    assert "nothing changed" in result.stderr
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repository, capture_output=True, text=True, check=True
    ).stdout
    assert status.split() == ["??", "report.md"]
