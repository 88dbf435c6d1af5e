"""The wheel builds, installs into a clean virtualenv with only its runtime dependencies, and works there.

Slow (about a minute: it builds the wheel and installs the runtime dependencies into a new venv, from
pip's cache when it can). Nothing from this repository is on the venv's path.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from tests._mock_server import running_mock

from ._consumer import check_consumer_results, consumer_program, python_in, run_consumer

ROOT = Path(__file__).resolve().parents[2]
# The runtime dependencies, as pyproject.toml names them (what the wheel's metadata must require).
RUNTIME = {
    re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()
    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
}
# Build, generation, test and mock tools: none may reach a runtime install.
FORBIDDEN = {
    "pyyaml",
    "openapi-python-client",
    "pytest",
    "ruff",
    "schemathesis",
    "hypothesis",
    "starlette",
    "uvicorn",
    "redis",
    "mypy",
    "hatchling",
}


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", str(ROOT), "-w", str(dist)], cwd=dist)
    wheels = sorted(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    _run([str(python_in(env_dir)), "-m", "pip", "install", str(wheel)], cwd=env_dir)
    return env_dir


def test_wheel_is_named_for_the_spec_version_and_holds_the_three_packages(wheel: Path) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert wheel.name == f"binance_margin-{version}-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"binance_margin", "binance_margin_api", "binance_margin_mock"}
    for required in (
        "binance_margin/py.typed",
        "binance_margin/_engine.py",
        "binance_margin_api/py.typed",
        "binance_margin_api/spec_metadata.py",
        "binance_margin_mock/scenarios/default.toml",
        "binance_margin_mock/scenarios/example.toml",
        "binance_margin_mock/py.typed",
        "binance_margin_mock/testing/__init__.py",
        "binance_margin_mock/testing/pytest_plugin.py",
        "binance_margin_mock/_pytest_entry.py",
    ):
        assert required in names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt")))
    assert "[pytest11]\nbinance-margin-mock = binance_margin_mock._pytest_entry" in entry_points.decode()


def test_wheel_metadata_requires_only_the_runtime_dependencies(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata_name = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        metadata = archive.read(metadata_name).decode("utf-8")
    unconditional = {
        line.split(":", 1)[1].strip().split()[0].split(">")[0].split("<")[0].split("=")[0].lower()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }
    assert unconditional == RUNTIME


def test_clean_venv_gets_only_runtime_dependencies(installed: Path) -> None:
    listing = _run([str(python_in(installed)), "-m", "pip", "list", "--format=json"], cwd=installed)
    present = {entry["name"].lower() for entry in json.loads(listing.stdout)}
    assert {"binance-margin", *RUNTIME} <= present
    assert not present & FORBIDDEN, present & FORBIDDEN
    probe = subprocess.run(
        [str(python_in(installed)), "-c", "import yaml"], cwd=installed, capture_output=True, text=True
    )
    assert probe.returncode != 0 and "ModuleNotFoundError" in probe.stderr


def test_installed_package_calls_the_mock(installed: Path, tmp_path: Path) -> None:
    with running_mock() as mock:
        out = run_consumer(python_in(installed), consumer_program(""), mock.base_url, tmp_path)
    assert Path(out["package_file"]).is_relative_to(installed)
    check_consumer_results(out, "binance_margin._errors")
    # The client needs neither the mock, nor the generator's yaml, nor test tools at runtime.
    assert out["modules"] == ["binance_margin", "binance_margin_api"]


def test_console_script_is_installed(installed: Path) -> None:
    script = installed / ("Scripts/binance-margin.exe" if sys.platform == "win32" else "bin/binance-margin")
    result = _run([str(script), "--help"], cwd=installed)
    assert "coin-list" in result.stdout


def test_mock_cli_without_its_extra_says_which_extra_to_install(installed: Path) -> None:
    # The clean venv has the runtime dependencies only: no starlette, uvicorn or simplejson.
    bin_dir = "Scripts" if sys.platform == "win32" else "bin"
    script = (
        installed
        / bin_dir
        / ("binance-margin-mock.exe" if sys.platform == "win32" else "binance-margin-mock")
    )
    result = subprocess.run(
        [str(script), "--port", "0"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "pip install 'binance-margin[mock]'" in result.stderr and "Traceback" not in result.stderr
    version = _run([str(script), "--version"], cwd=installed)
    wheel_version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert version.stdout.strip() == f"binance-margin-mock {wheel_version}"
