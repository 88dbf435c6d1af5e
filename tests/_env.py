"""The process environment a test starts from."""

from __future__ import annotations

import pytest


def clear_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy variables, in either case: a test sets the ones it is about."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
