"""docs/consuming.md's typed test file: it uses only the shipped kit and the client's public API, passes
mypy --strict, and runs green against the mock in a project of its own with the documented pytest config."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ._consumer_project import run_consumer_tests
from ._doc_blocks import blocks

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "consuming.md"
# What such a file may import: the kit, the client's public names, and what any test file uses.
ALLOWED = {
    "binance_margin": {"BinanceClient", "HmacCredentials"},
    "binance_margin_mock.testing": None,  # any public name of the kit
    "collections.abc": None,
    "decimal": None,
    "pytest": None,
}


def _block(marker: str) -> str:
    (found,) = [block.text for block in blocks(DOC) if block.marker == marker]
    return found


def test_it_imports_only_the_kit_and_the_public_client_api() -> None:
    tree = ast.parse(_block("pytest, mypy"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert all(alias.name in ALLOWED for alias in node.names), ast.unparse(node)
        elif isinstance(node, ast.ImportFrom):
            assert node.module in ALLOWED, ast.unparse(node)
            allowed = ALLOWED[node.module]
            names = {alias.name for alias in node.names}
            assert allowed is None or names <= allowed, ast.unparse(node)
            assert not any(name.startswith("_") for name in names), ast.unparse(node)


def test_it_passes_mypy_strict_and_runs_green(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    output = run_consumer_tests(
        _block("pytest, mypy"),
        tmp_path / "consumer",
        mypy_cache=tmp_path_factory.getbasetemp() / "mypy-cache",
        pyproject=_block("pytest config"),  # the documented configuration enables the fixtures
    )
    assert "2 passed" in output
