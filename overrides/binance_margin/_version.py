"""The package version: the spec's, which the distribution's tracks (a test keeps them equal), so a vendored
copy and an installed one report the same without reading distribution metadata."""

from binance_margin_api.spec_metadata import SPEC_VERSION

__version__ = SPEC_VERSION
USER_AGENT = f"binance-margin/{__version__}"
