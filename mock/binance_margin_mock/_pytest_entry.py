"""binance-margin's `pytest11` entry point. pytest loads it in every project where the package is
installed, so it registers no fixture and imports nothing of the mock: it only adds the ini option
`binance_margin_mock` and, when a project sets it to true, loads `binance_margin_mock.testing.pytest_plugin`.
(`-p binance_margin_mock.testing.pytest_plugin` or a conftest's `pytest_plugins` load it without this.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pytest

INI_OPTION: Final = "binance_margin_mock"
PLUGIN: Final = "binance_margin_mock.testing.pytest_plugin"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        INI_OPTION,
        type="bool",
        default=False,
        help=f"register the binance-margin-mock fixtures ({PLUGIN})",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getini(INI_OPTION) and not config.pluginmanager.has_plugin(PLUGIN):
        config.pluginmanager.import_plugin(PLUGIN)
