"""Session-wide leak check: no test secret (tests/_secrets.py) may appear in what the suite produces.

Collected for the whole session: every log record of the "binance_margin" logger tree at DEBUG, the
text of every exception binance_margin creates, texts a test hands to the `leak_scan` fixture (reprs),
and every test report's failure text and captured sections. At the end, any secret found fails the run
(exit status 1) and the report names the secret's index and where it was found, never the secret.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from binance_margin import _errors

from tests._secrets import ALL

# The shipped test kit's fixtures (binance_mock, binance_mock_clock, ...), enabled as a consumer would.
pytest_plugins = ["binance_margin_mock.testing.pytest_plugin"]

_TEXTS: list[tuple[str, str]] = []  # (where, text)


class _Collector(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a broken record must not break the suite; keep what can be kept
            text = f"{record.msg!r} {record.args!r}"
        _TEXTS.append((f"log {record.name}", text))


def _record_exception(self: BaseException, *args: Any) -> None:
    Exception.__init__(self, *args)
    _TEXTS.append((f"exception {type(self).__name__}", " ".join(str(arg) for arg in args)))


def pytest_configure(config: pytest.Config) -> None:
    handler = _Collector(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("binance_margin")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    # Every binance_margin exception passes its text up to BinanceMarginError.__init__.
    _errors.BinanceMarginError.__init__ = _record_exception  # type: ignore[method-assign]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed:
        _TEXTS.append((f"report {report.nodeid}", report.longreprtext))
    for name, content in report.sections:
        _TEXTS.append((f"report {report.nodeid} {name}", content))


@pytest.fixture
def leak_scan() -> Callable[[str, str], None]:
    """`leak_scan(where, text)` adds a text (a repr, a message) to the session's leak check."""

    def add(where: str, text: str) -> None:
        _TEXTS.append((where, text))

    return add


def find_leaks(texts: list[tuple[str, str]], secrets: tuple[str, ...] = ALL) -> list[str]:
    """Where each secret occurs, as "secret #i in <where>" lines (never the secret itself)."""
    return [
        f"secret #{index} (of tests/_secrets.py ALL) in {where}"
        for where, text in texts
        for index, secret in enumerate(secrets)
        if secret in text
    ]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leaks = find_leaks(_TEXTS)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not leaks:
        if reporter is not None:
            reporter.write_line(f"leak check: {len(_TEXTS)} texts scanned, no test secret found")
        return
    if reporter is not None:
        reporter.write_line(f"LEAK CHECK FAILED: {len(leaks)} occurrence(s) of test secrets", red=True)
        for line in sorted(set(leaks))[:50]:
            reporter.write_line("  " + line, red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
