"""Vendoring: scripts/vendor.py rewrites imports correctly, and a vendored copy works against the mock."""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from tests._mock_server import running_mock

from ._consumer import check_consumer_results, consumer_program, run_consumer

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("binance_margin", "binance_margin_api")
PREFIX = "consumer._vendor"


def _load_vendor_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vendor_script", ROOT / "scripts" / "vendor.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["vendor_script"] = module
    spec.loader.exec_module(module)
    return module


vendor_script = _load_vendor_script()


def rewrite(source: str) -> str:
    result: str = vendor_script.rewrite_source(textwrap.dedent(source), PREFIX, NAMES)
    return result


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "from binance_margin_api.models import A, B\n",
            "from consumer._vendor.binance_margin_api.models import A, B\n",
        ),
        (
            "from binance_margin_api import errors\n",
            "from consumer._vendor.binance_margin_api import errors\n",
        ),
        ("from binance_margin import X\n", "from consumer._vendor.binance_margin import X\n"),
        ("import binance_margin_api\n", "from consumer._vendor import binance_margin_api\n"),
        ("import binance_margin_api as api\n", "from consumer._vendor import binance_margin_api as api\n"),
        (
            "import binance_margin_api.types as t\n",
            "import consumer._vendor.binance_margin_api.types as t\n",
        ),
        ("import os, binance_margin_api\n", "import os; from consumer._vendor import binance_margin_api\n"),
        (
            "from binance_margin_api.api.margin import (\n    a,\n    b,\n)\n",
            "from consumer._vendor.binance_margin_api.api.margin import (\n    a,\n    b,\n)\n",
        ),
        (
            "def f():\n    from binance_margin_api.client import C\n    return C\n",
            "def f():\n    from consumer._vendor.binance_margin_api.client import C\n    return C\n",
        ),
        (
            "x = 'café'; from binance_margin import Y\n",
            "x = 'café'; from consumer._vendor.binance_margin import Y\n",
        ),
    ],
)
def test_rewrites_absolute_imports_of_vendored_packages(before: str, after: str) -> None:
    assert rewrite(before) == after
    compile(rewrite(before), "<rewritten>", "exec")


@pytest.mark.parametrize(
    "source",
    [
        "from . import models\nfrom ..types import UNSET\n",  # relative: already private
        "import binance_margin_apiary\nfrom binance_marginal import x\n",  # other packages sharing a prefix
        # strings and comments
        "logger = logging.getLogger('binance_margin')\n# from binance_margin_api import x\n",
        "import httpx\nfrom attrs import define\n",
    ],
)
def test_leaves_everything_else_alone(source: str) -> None:
    assert rewrite(source) == textwrap.dedent(source)


def test_refuses_an_import_whose_bound_name_would_change() -> None:
    with pytest.raises(vendor_script.VendorError, match="binds"):
        rewrite("import binance_margin_api.types\n")


def test_refuses_a_prefix_that_is_not_a_module_path(tmp_path: Path) -> None:
    with pytest.raises(vendor_script.VendorError, match="not a dotted module path"):
        vendor_script.vendor(tmp_path / "v", "consumer/_vendor")


def _vendored_consumer(tmp_path: Path) -> Path:
    package = tmp_path / "consumer"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    assert vendor_script.main([str(package / "_vendor"), "--prefix", PREFIX]) == 0
    return package / "_vendor"


def test_vendored_tree_has_no_absolute_import_of_the_original_names(tmp_path: Path) -> None:
    vendored = _vendored_consumer(tmp_path)
    modules = sorted(vendored.rglob("*.py"))
    assert {path.relative_to(vendored).parts[0] for path in modules} >= set(NAMES)
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert node.module.split(".")[0] not in NAMES, f"{path}: from {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] not in NAMES, f"{path}: import {alias.name}"
    # Re-vendoring replaces the copy instead of stacking prefixes.
    assert vendor_script.main([str(vendored), "--prefix", PREFIX]) == 0
    text = (vendored / "binance_margin" / "_client.py").read_text(encoding="utf-8")
    assert "consumer._vendor.consumer._vendor" not in text
    assert "from consumer._vendor.binance_margin_api" in text


def test_vendored_copy_calls_the_mock_without_the_original_packages(tmp_path: Path) -> None:
    _vendored_consumer(tmp_path)
    with running_mock() as mock:
        out = run_consumer(sys.executable, consumer_program(PREFIX + "."), mock.base_url, tmp_path)
    assert Path(out["package_file"]).is_relative_to(tmp_path / "consumer" / "_vendor" / "binance_margin")
    check_consumer_results(out, "consumer._vendor.binance_margin._errors")
    # Nothing was imported under the original top-level names (nor the generator's or tests' tools).
    assert out["modules"] == []


@pytest.mark.parametrize(
    "dest",
    ["elsewhere/_vendor", "consumer/vendor", "consumer/_vendor/inner", "_vendor"],
)
def test_a_destination_that_contradicts_the_prefix_is_refused_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dest: str
) -> None:
    target = tmp_path / dest
    assert vendor_script.main([str(target), "--prefix", PREFIX]) == 1
    err = capsys.readouterr().err
    assert f"--prefix {PREFIX}" in err and "consumer/_vendor/" in err
    assert not target.exists()


def test_a_relative_destination_that_agrees_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "src" / "consumer").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "src")
    assert vendor_script.main(["consumer/_vendor", "--prefix", PREFIX]) == 0
    assert (tmp_path / "src" / "consumer" / "_vendor" / "binance_margin" / "_client.py").is_file()


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def test_vendored_txt_records_the_version_and_the_commit(tmp_path: Path) -> None:
    vendored = _vendored_consumer(tmp_path)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    commit = _git("rev-parse", "HEAD")
    if _git("status", "--porcelain", "--", "overrides/binance_margin", "generated_client/binance_margin_api"):
        commit += " (with uncommitted changes)"
    for name in NAMES:
        lines = (vendored / name / "VENDORED.txt").read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("vendored from binance-margin by scripts/vendor.py: do not edit")
        assert lines[1:] == [f"version: {version}", f"commit: {commit}"]


@pytest.mark.parametrize("without", ["repository", "git"])
def test_the_commit_is_unknown_without_a_repository_or_git(tmp_path: Path, without: str) -> None:
    # A copy of the sources outside any git checkout, or git missing from PATH.
    source = tmp_path / "source"
    for part in ("scripts/vendor.py", "overrides/binance_margin", "generated_client/binance_margin_api"):
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (source / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / part, source / part)
    shutil.copy(ROOT / "pyproject.toml", source / "pyproject.toml")
    script = source / "scripts" / "vendor.py" if without == "repository" else ROOT / "scripts" / "vendor.py"
    env = {"PATH": str(tmp_path / "empty"), "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    consumer = tmp_path / "consumer"
    consumer.mkdir()
    result = subprocess.run(
        [sys.executable, str(script), str(consumer / "_vendor"), "--prefix", PREFIX],
        env=env if without == "git" else {**os.environ, **env, "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    note = (consumer / "_vendor" / "binance_margin" / "VENDORED.txt").read_text(encoding="utf-8")
    assert note.splitlines()[-1] == "commit: unknown"
