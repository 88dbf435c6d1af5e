"""Schemathesis against the mock in-process, with the fuzz scenario (every schema-valid request succeeds)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import schemathesis
from binance_margin_mock import FUZZ_SCENARIO, create_app, load_scenario
from schemathesis.config import SchemathesisConfig

from tests.mock._signer import Credentials

from ._wire_signer import WireSigner

SPEC: Final = Path(__file__).resolve().parents[2] / "spec" / "openapi.yaml"
SEED: Final = int(os.environ.get("FUZZ_SEED", "20260115"))
EXAMPLES: Final = int(os.environ.get("FUZZ_EXAMPLES", "1000"))

_key = load_scenario(FUZZ_SCENARIO).accounts[0].keys[0]
SIGNER: Final = WireSigner(Credentials(_key.api_key, _key.kind, _key.secret))
APP: Final = create_app(FUZZ_SCENARIO)

CONFIG: Final = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": EXAMPLES,
            "with-security-parameters": False,
            "database": "none",
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
        },
    }
)


def load_schema() -> schemathesis.schemas.BaseSchema:
    schema = schemathesis.openapi.from_path(SPEC, config=CONFIG)
    schema.app = APP
    schema.auth.set_from_requests(SIGNER)
    return schema
