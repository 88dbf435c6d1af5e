"""The package version: the installed distribution's, else (a vendored copy) the spec's, which it tracks."""

from __future__ import annotations

from binance_margin_api.spec_metadata import SPEC_VERSION

DISTRIBUTION = "binance-margin"
# The spec's version is the package's (a test keeps them equal); reading it costs no metadata lookup.
USER_AGENT = f"{DISTRIBUTION}/{SPEC_VERSION}"


def installed_version() -> str:
    """The installed distribution's version; the spec's for a copy that is not installed (vendored)."""
    from importlib import metadata  # ~10 ms of imports: only when asked

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return SPEC_VERSION
