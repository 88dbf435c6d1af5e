"""The installed mock package: its version, its typing marker, what it says without the `mock` extra."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import binance_margin_mock
import pytest
from binance_margin_mock import _extra

ROOT = Path(__file__).resolve().parents[2]
# Run the installed console script as a user would, with the extra's modules made unimportable
# (None in sys.modules makes `import starlette` raise ModuleNotFoundError, as when it is not installed).
_WITHOUT_EXTRA = """
import runpy, sys
sys.modules.update(dict.fromkeys({blocked!r}))
sys.argv = [{script!r}, *{args!r}]
runpy.run_path({script!r}, run_name="__main__")
"""


def _script() -> str:
    script = shutil.which("binance-margin-mock", path=str(Path(sys.executable).parent))
    assert script is not None, "the binance-margin-mock console script is not installed"
    return script


def _run_without(blocked: tuple[str, ...], *args: str) -> subprocess.CompletedProcess[str]:
    program = _WITHOUT_EXTRA.format(blocked=blocked, script=_script(), args=list(args))
    return subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )


def test_version_is_the_installed_distributions() -> None:
    assert binance_margin_mock.__version__ == metadata.version("binance-margin")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert binance_margin_mock.__version__ == pyproject["project"]["version"]


def test_cli_prints_its_version() -> None:
    result = subprocess.run([_script(), "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"binance-margin-mock {metadata.version('binance-margin')}"


def test_package_is_marked_typed() -> None:
    assert (Path(binance_margin_mock.__file__).parent / "py.typed").is_file()


def test_extra_modules_are_the_mock_extras_distributions() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = {
        requirement.split(";")[0].split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip()
        for requirement in pyproject["project"]["optional-dependencies"]["mock"]
    }
    assert names == set(_extra.EXTRA_MODULES)


def test_exports_are_the_lazy_names() -> None:
    assert set(binance_margin_mock.__all__) == {*binance_margin_mock._EXPORTS, "__version__"}
    for name in binance_margin_mock.__all__:
        assert getattr(binance_margin_mock, name) is not None
    with pytest.raises(AttributeError):
        binance_margin_mock.no_such_name  # type: ignore[attr-defined]  # noqa: B018


@pytest.mark.parametrize("blocked", [("starlette",), ("uvicorn",), ("simplejson",), _extra.EXTRA_MODULES])
def test_cli_without_the_extra_names_it_and_exits_2(blocked: tuple[str, ...]) -> None:
    result = _run_without(blocked, "--port", "0")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "ModuleNotFoundError" not in result.stderr and "Traceback" not in result.stderr
    assert "pip install 'binance-margin[mock]'" in result.stderr
    assert any(name in result.stderr for name in blocked)
    assert result.stdout == ""  # nothing started, no banner


def test_cli_help_and_version_work_without_the_extra() -> None:
    result = _run_without(_extra.EXTRA_MODULES, "--version")
    assert result.returncode == 0 and result.stdout.startswith("binance-margin-mock "), result.stderr
    result = _run_without(_extra.EXTRA_MODULES, "--help")
    assert result.returncode == 0 and "--scenario" in result.stdout, result.stderr


def test_library_import_without_the_extra_says_which_extra() -> None:
    program = (
        f"import sys; sys.modules.update(dict.fromkeys({_extra.EXTRA_MODULES!r}))\n"
        "import binance_margin_mock\n"
        "print(binance_margin_mock.__version__)\n"
        "print(binance_margin_mock.load_scenario().accounts[0].account_id)\n"  # needs no extra
        "try:\n"
        "    binance_margin_mock.create_app\n"
        "except ModuleNotFoundError as error:\n"
        "    print(error.name, '|', error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    version, account, missing = result.stdout.splitlines()
    assert version == metadata.version("binance-margin")
    assert account == "10000001"
    name, _, message = missing.partition(" | ")
    assert name in _extra.EXTRA_MODULES
    assert "pip install 'binance-margin[mock]'" in message
