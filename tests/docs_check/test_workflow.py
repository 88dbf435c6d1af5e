"""The users' workflow that runs the docs check and opens a pull request on drift."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import yaml

from generator._paths import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "regenerate-on-docs-change.yml"


def test_the_workflow_is_valid_for_github() -> None:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema (a dev dependency) is not installed")
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


def test_the_workflow_checks_regenerates_tests_and_opens_a_pull_request() -> None:
    workflow: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the `on` key as True
    assert "schedule" in triggers and triggers["push"]["paths"] == ["docs-snapshot/**"]
    steps = workflow["jobs"]["docs-check"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    order = [
        runs.index(command) for command in ("generator docs-check", "python -m generator\n", "scripts/test")
    ]
    assert order == sorted(order)
    (pull_request,) = [
        step for step in steps if str(step.get("uses", "")).startswith("peter-evans/create-pull-request")
    ]
    assert pull_request["with"]["body-path"].endswith("pr-body.md")
