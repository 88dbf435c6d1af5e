"""Every credential the test suite uses, in one place. The leak check in tests/conftest.py fails the run
if any of `ALL` shows up in a log record, an exception text or a failure report."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from binance_margin_mock import DEFAULT_SCENARIO, load_scenario

# tests/wire: the loopback server's HMAC pair.
WIRE_API_KEY: Final = "wire-key-never-logged"
WIRE_SECRET: Final = "wire-test-secret-0123456789"
WRONG_SECRET: Final = "another-secret-never-logged"
# tests/wire/test_cli.py
CLI_API_KEY: Final = "cli-key-never-logged"
CLI_SECRET: Final = "cli-secret-never-logged"
CLI_WRONG_SECRET: Final = "wrong-secret-never-logged"
# tests/unit/test_credentials.py
UNIT_API_KEY: Final = "api-key-never-printed"
UNIT_SECRET: Final = "s3cr3t-never-printed"
UNIT_WRONG_PASSPHRASE: Final = "wrong-phrase-never-printed"

# The mock's public demo credentials (docs/mock.md): account 1 and 2.
_SCENARIO = load_scenario(DEFAULT_SCENARIO)
MOCK_KEYS: Final = {
    key.kind + str(account.account_id): key for account in _SCENARIO.accounts for key in account.keys
}
MOCK_HMAC: Final = next(key for key in _SCENARIO.accounts[0].keys if key.kind == "HMAC")
MOCK_HMAC_2: Final = next(key for key in _SCENARIO.accounts[1].keys if key.kind == "HMAC")


def _pem_body(path: object) -> list[str]:
    if path is None:
        return []
    text = Path(str(path)).read_text(encoding="ascii")
    return [line for line in text.splitlines() if line and not line.startswith("-----")][:1]


ALL: Final[tuple[str, ...]] = tuple(
    sorted(
        {
            WIRE_API_KEY,
            WIRE_SECRET,
            WRONG_SECRET,
            CLI_API_KEY,
            CLI_SECRET,
            CLI_WRONG_SECRET,
            UNIT_API_KEY,
            UNIT_SECRET,
            UNIT_WRONG_PASSPHRASE,
            *(key.api_key for key in MOCK_KEYS.values()),
            *(key.secret for key in MOCK_KEYS.values() if key.secret),
            *(line for key in MOCK_KEYS.values() for line in _pem_body(key.private_key_file)),
        }
    )
)
