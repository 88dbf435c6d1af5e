"""docs/mock.md's code blocks, run as a user would run them (markers: tests/kit/_doc_blocks.py)."""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import httpx
import pytest
from binance_margin_mock.testing import running_mock

from ._consumer_project import run_consumer_tests
from ._doc_blocks import Block, blocks

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "mock.md"
BLOCKS = blocks(DOC)
BIN = Path(sys.executable).parent
KINDS = {"script", "pytest", "console", "file", "fault rule", "output"}


def _kind(block: Block) -> str:
    if block.marker is None:
        return "script" if block.language == "python" else "unmarked"
    return block.marker.split()[0] if block.marker.startswith("file ") else block.marker


def _of(kind: str) -> list[Block]:
    return [block for block in BLOCKS if _kind(block) == kind]


def _ids(found: list[Block]) -> list[str]:
    return [block.where for block in found]


# The unmarked python blocks ("script") are run against the default mock by tests/test_docs_examples.py.
def test_every_block_says_how_it_runs() -> None:
    unmarked = [block.where for block in BLOCKS if _kind(block) not in KINDS]
    assert not unmarked, f"mark these blocks (tests/kit/_doc_blocks.py): {unmarked}"
    assert _of("script") and _of("pytest") and _of("console") and _of("file") and _of("fault rule")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])  # `python`, the console scripts
    return env


@pytest.mark.parametrize("block", _of("pytest"), ids=_ids(_of("pytest")))
def test_the_example_test_passes_mypy_strict_and_pytest(
    block: Block, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run_consumer_tests(
        block.text,
        tmp_path / "project",
        mypy_cache=tmp_path_factory.getbasetemp() / "mypy-cache",
        pytest_args=("-p", "binance_margin_mock.testing.pytest_plugin"),  # as the doc says
    )


@pytest.mark.parametrize("block", _of("file"), ids=_ids(_of("file")))
def test_a_file_shown_is_the_file_shipped(block: Block) -> None:
    assert block.marker is not None
    path = ROOT / block.marker.split(maxsplit=1)[1]
    assert block.text == path.read_text(encoding="utf-8"), f"{block.where} differs from {path}"


@pytest.mark.parametrize("block", _of("fault rule"), ids=_ids(_of("fault rule")))
def test_the_fault_rule_is_accepted(block: Block) -> None:
    rule = json.loads(block.text)
    with running_mock() as mock:
        answer = httpx.post(f"{mock.base_url}/_mock/faults", json=rule)
        assert answer.status_code == 200, answer.text
        assert [r.kind for r in mock.control.faults()] == [rule["kind"]]


# -- console blocks ------------------------------------------------------------------------------------


def _commands(block: Block) -> list[tuple[str, list[str]]]:
    """(command, the output lines documented under it)."""
    found: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], []))
        elif line.strip():
            assert found, f"{block.where}: output before any command"
            found[-1][1].append(line)
    return found


def _pattern(documented: str) -> re.Pattern[str]:
    """A documented output line: "…" elides anything, and the port is whatever was picked."""
    parts = [re.escape(part) for part in documented.split("…")]
    text = ".*".join(parts)
    return re.compile(re.sub(r"127\\\.0\\\.0\\\.1:\d+", r"127\\.0\\.0\\.1:\\d+", text))


def _check_output(command: str, documented: list[str], actual: list[str]) -> None:
    assert len(actual) >= len(documented), (command, actual)
    for want, got in zip(documented, actual, strict=False):
        assert _pattern(want).fullmatch(got), f"{command}: documented {want!r}, printed {got!r}"


def _serve_and_read_banner(argv: list[str], cwd: Path, lines: int) -> list[str]:
    # A server: read its banner, then stop it. Without --port the documented default (8765) may be
    # taken on a shared machine: port 0 gets a free one and the banner says which.
    if not any(arg == "--port" or arg.startswith("--port=") for arg in argv):
        argv = [*argv, "--port", "0"]
    process = subprocess.Popen(
        [str(BIN / argv[0]), *argv[1:]], cwd=cwd, env=_env(), stdout=subprocess.PIPE, text=True
    )
    read: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None

    def pump() -> None:  # a reader thread, so a silent server fails the test instead of hanging it
        for line in stdout:
            read.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        banner = [read.get(timeout=120).rstrip("\n") for _ in range(lines)]
        base_url = banner[0].rsplit(" ", 1)[-1]
        assert httpx.get(f"{base_url}/api/v3/time", timeout=30).status_code == 200
        return banner
    finally:
        process.terminate()
        process.wait(30)


@pytest.mark.parametrize("block", _of("console"), ids=_ids(_of("console")))
def test_console_commands_run_and_print_what_is_documented(block: Block, tmp_path: Path) -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    for command, documented in _commands(block):
        argv = shlex.split(command, comments=True)
        if argv[:2] == ["pip", "install"]:
            # Not run (it needs a package index): the extras it names must exist.
            for requirement in argv[2:]:
                match = re.fullmatch(r"binance-margin\[([\w,-]+)\]", requirement)
                assert match, f"{block.where}: {requirement!r}"
                assert set(match[1].split(",")) <= set(extras), requirement
        elif argv[0] == "binance-margin-mock" and not {"--version", "--help"} & set(argv):
            banner = _serve_and_read_banner(argv, tmp_path, max(len(documented), 1))
            _check_output(command, documented, banner)
        else:
            result = subprocess.run(
                ["bash", "-c", command], cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 0, f"{block.where}: {command}\n{result.stderr}"
            _check_output(command, documented, result.stdout.splitlines())
