"""Vendoring: scripts/vendor.py rewrites imports correctly, and a vendored copy works against the mock."""

from __future__ import annotations

import ast
import importlib.util
import sys
import textwrap
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
