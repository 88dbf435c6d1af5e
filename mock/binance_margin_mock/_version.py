"""The package version, read from the installed distribution's metadata (never written out here)."""

from __future__ import annotations

from importlib import metadata
from typing import Final

DISTRIBUTION: Final = "binance-margin"
UNKNOWN: Final = "0+unknown"  # run from a source tree that was never installed


def distribution_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return UNKNOWN
