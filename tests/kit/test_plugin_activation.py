"""The pytest plugin is active only when enabled: installing the package changes nothing for a project.

Each case runs pytest in a fresh process in a project outside this repository (its own rootdir), with
the package installed as a consumer has it: the `pytest11` entry point is loaded by pytest's autoload.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ._consumer_project import run_pytest

PLUGIN = "binance_margin_mock.testing.pytest_plugin"
_TEST = """
import sys

def test_uses_the_kit(binance_mock, binance_mock_clock, binance_mock_hmac_key):
    assert binance_mock.base_url.startswith("http://127.0.0.1:")
    assert binance_mock_clock.wall_ms() > 0
    assert binance_mock_hmac_key.account_id == 10000001
"""
_PROBE = """
import sys

def test_nothing_of_the_mock_was_loaded(request):
    names = request.config.pluginmanager.get_plugin("binance-margin-mock")
    assert names is not None  # the entry point itself is loaded...
    assert "binance_margin_mock.testing" not in sys.modules  # ...and it imported nothing of the kit
    assert "binance_margin_mock._app" not in sys.modules
    assert request.config.pluginmanager.get_plugin("@PLUGIN@") is None
""".replace("@PLUGIN@", PLUGIN)


def _project(tmp_path: Path, ini: str = "", conftest: str | None = None) -> Path:
    (tmp_path / "pytest.ini").write_text(f"[pytest]\n{ini}\n", encoding="utf-8")
    (tmp_path / "test_kit.py").write_text(_TEST, encoding="utf-8")
    if conftest is not None:
        (tmp_path / "conftest.py").write_text(conftest, encoding="utf-8")
    return tmp_path


def test_installed_alone_it_registers_no_fixture_and_imports_no_kit(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = run_pytest(project, "test_kit.py")
    assert result.returncode == 1, result.stdout
    assert "fixture 'binance_mock' not found" in result.stdout
    listing = run_pytest(project, "--fixtures", "test_kit.py")
    assert "binance_mock" not in listing.stdout
    (project / "test_probe.py").write_text(_PROBE, encoding="utf-8")
    probe = run_pytest(project, "test_probe.py")
    assert probe.returncode == 0, probe.stdout + probe.stderr


@pytest.mark.parametrize(
    ("how", "args", "ini", "conftest"),
    [
        ("-p", ("-p", PLUGIN), "", None),
        ("ini", (), "binance_margin_mock = true", None),
        ("pytest_plugins", (), "", f"pytest_plugins = [{PLUGIN!r}]\n"),
        ("conftest import", (), "", f"from {PLUGIN} import *  # noqa: F403\n"),
    ],
)
def test_each_way_of_enabling_it_registers_the_fixtures(
    tmp_path: Path, how: str, args: tuple[str, ...], ini: str, conftest: str | None
) -> None:
    result = run_pytest(_project(tmp_path, ini, conftest), *args, "test_kit.py")
    assert result.returncode == 0, f"{how}:\n{result.stdout}\n{result.stderr}"
    assert "1 passed" in result.stdout


def test_the_ini_option_false_leaves_it_off(tmp_path: Path) -> None:
    result = run_pytest(_project(tmp_path, "binance_margin_mock = false"), "test_kit.py")
    assert result.returncode == 1 and "fixture 'binance_mock' not found" in result.stdout
