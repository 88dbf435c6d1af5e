"""Where the generator reads and writes, relative to the repository root."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = REPO_ROOT / "spec" / "openapi.yaml"
PACKAGE_NAME = "binance_margin_api"
GENERATED_PACKAGE = REPO_ROOT / "generated_client" / PACKAGE_NAME
METADATA_MODULE = "spec_metadata.py"
