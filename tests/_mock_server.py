"""The suite's names for the shipped test kit (binance_margin_mock.testing): tests import them from here.

with running_mock() as mock:
    mock.base_url                      # http://127.0.0.1:PORT
    mock.control.advance(6 * 3600)     # POST /_mock/clock
    mock.control.add_fault(kind="error", operation="changeMarginType", count=1, fapi_503="unknown")
"""

from __future__ import annotations

from binance_margin_mock.testing import MockControl, RunningMock, running_mock

__all__ = ["MockControl", "RunningMock", "running_mock"]
