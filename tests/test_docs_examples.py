"""The docs are code: every code block in README.md, ARCHITECTURE.md, BENCHMARKS.md and docs/*.md says how
it is checked, and every Python block a user would run, runs, against a fresh default mock.

Markers (an HTML comment right above the fence; tests/kit/_doc_blocks.py reads them):

- none on a `python` block: a script, run in a fresh interpreter with BINANCE_API_KEY / _SECRET and
  BINANCE_BASE_URL / BINANCE_FUTURES_BASE_URL set to a default mock started for it alone;
- `pytest`, `pytest, mypy`, `pytest config`, `console`, `file PATH`, `fault rule`: run by the tests of
  the documents that use them (tests/kit/test_docs_mock.py, tests/kit/test_consumer_example.py);
- `output`: not a command (a synopsis, a diagram, what a command prints);
- `not run: REASON`: a command that cannot run here (an install from a package index, the benchmark,
  a server that runs until stopped), with the reason, naming the test that covers it when one does.

Numbers the client itself decides (its defaults) are checked against the code where the docs state them.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from binance_margin import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_WAIT, BinanceClient
from binance_margin._options import MAX_TIMEOUT, MAX_WAIT
from binance_margin_mock.testing import running_mock

from tests.kit._doc_blocks import Block, blocks

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [
    ROOT / "README.md",
    ROOT / "ARCHITECTURE.md",
    ROOT / "BENCHMARKS.md",
    *sorted((ROOT / "docs").glob("*.md")),
]
# Blocks of these kinds are run by the named documents' own tests.
RUN_ELSEWHERE = {"pytest", "pytest, mypy", "pytest config", "console", "file", "fault rule"}
ALL = [block for document in DOCUMENTS for block in blocks(document)]


def _kind(block: Block) -> str:
    if block.marker is None:
        return "script" if block.language == "python" else "unmarked"
    if block.marker.startswith("file "):
        return "file"
    if block.marker.startswith("not run:"):
        return "not run" if block.marker.removeprefix("not run:").strip() else "not run without a reason"
    return block.marker


def _where(block: Block) -> str:
    return f"{block.path.relative_to(ROOT)}:{block.line}"


SCRIPTS = [block for block in ALL if _kind(block) == "script"]


def test_every_block_says_how_it_is_checked() -> None:
    known = {"script", "output", "not run", *RUN_ELSEWHERE}
    unmarked = [f"{_where(block)} ({_kind(block)})" for block in ALL if _kind(block) not in known]
    assert not unmarked, f"mark these blocks (see this module's docstring): {unmarked}"
    assert SCRIPTS  # the check is not vacuous


def test_blocks_run_elsewhere_are_in_documents_whose_tests_run_them() -> None:
    covered = {ROOT / "docs" / "mock.md", ROOT / "docs" / "consuming.md"}
    stray = [_where(block) for block in ALL if _kind(block) in RUN_ELSEWHERE and block.path not in covered]
    assert not stray, f"no test runs these: {stray}"


@pytest.mark.parametrize("block", SCRIPTS, ids=[_where(block) for block in SCRIPTS])
def test_python_blocks_run_against_the_default_mock(block: Block, tmp_path: Path) -> None:
    with running_mock() as mock:
        key = mock.hmac_key()
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("BINANCE_") and name not in ("PYTHONPATH", "PYTEST_ADDOPTS")
        }
        env.update(
            BINANCE_API_KEY=key.api_key,
            BINANCE_API_SECRET=key.secret,
            BINANCE_BASE_URL=mock.base_url,
            BINANCE_FUTURES_BASE_URL=mock.base_url,
        )
        result = subprocess.run(
            [sys.executable, "-c", block.text],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, f"{_where(block)}:\n{result.stdout}\n{result.stderr}"
    assert key.secret not in result.stdout + result.stderr  # what a snippet prints shows no secret


def test_documented_defaults_are_the_clients() -> None:
    parameters = inspect.signature(BinanceClient).parameters
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"`timeout` (default {parameters['timeout'].default:g} s)" in readme
    assert f"(`max_response_bytes`, default {DEFAULT_MAX_RESPONSE_BYTES // 2**20} MiB" in readme
    assert f"`max_wait` (default {DEFAULT_MAX_WAIT:g} s)" in readme
    assert parameters["max_wait"].default == DEFAULT_MAX_WAIT
    consuming = " ".join((ROOT / "docs" / "consuming.md").read_text(encoding="utf-8").split())
    assert f"default {parameters['timeout'].default:g}, at most {MAX_TIMEOUT:g})" in consuming
    assert f"`max_wait=` (s, default {DEFAULT_MAX_WAIT:g}, at most {MAX_WAIT:g}:" in consuming


def test_pinned_versions_in_the_docs_are_the_package_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    for document in DOCUMENTS:
        for pinned in re.findall(
            r"binance-margin(?:\[\w+\])?==([\w.]+)", document.read_text(encoding="utf-8")
        ):
            assert pinned == version, f"{document.name} pins {pinned}, the package is {version}"
