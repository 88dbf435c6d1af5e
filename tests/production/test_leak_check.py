"""The session leak check (tests/conftest.py) can fail, and the client's texts carry no secret."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from binance_margin import (
    BinanceAPIError,
    BinanceClient,
    BinanceWaitRefused,
    Credentials,
    Ed25519Credentials,
    HmacCredentials,
)
from binance_margin_api.spec_metadata import SIGNING
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests._secrets import ALL, WIRE_API_KEY, WIRE_SECRET
from tests.conftest import find_leaks

ROOT = Path(__file__).resolve().parents[2]

LEAKY = """
import logging

from tests._secrets import WIRE_SECRET


def test_logs_a_secret():
    logging.getLogger("binance_margin.oops").debug("secret is %s", WIRE_SECRET)
"""
CLEAN = """
import logging


def test_logs_nothing_secret():
    logging.getLogger("binance_margin.fine").debug("nothing to see")
"""


def _run_session(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    test_file = tmp_path / "test_probe.py"
    test_file.write_text(source)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("overrides", "generated_client", "mock", ".")),
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.conftest",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            str(test_file),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_leaked_secret_fails_the_session(tmp_path: Path) -> None:
    leaky = _run_session(tmp_path, LEAKY)
    assert leaky.returncode == 1, leaky.stdout
    assert "LEAK CHECK FAILED" in leaky.stdout and "1 passed" in leaky.stdout
    assert WIRE_SECRET not in leaky.stdout  # the report names the secret's index, not the secret
    clean = _run_session(tmp_path, CLEAN)
    assert clean.returncode == 0, clean.stdout


def test_find_leaks_reports_where_not_what() -> None:
    found = find_leaks([("log x", f"a {ALL[0]} b"), ("log y", "clean")])
    assert found == ["secret #0 (of tests/_secrets.py ALL) in log x"]


def test_reprs_and_errors_carry_no_secret(leak_scan: Callable[[str, str], None]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"[]")

    client = BinanceClient(
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET),
        transport=httpx.MockTransport(handler),
        storage_uri="memory://",
        wait=False,
    )
    client.coin_list()
    texts = [
        repr(client),
        repr(client.api),
        repr(client.budget),
        repr(client.server_clock),
        repr(client.last_call),
    ]
    with pytest.raises(Exception) as raised:
        BinanceClient(
            HmacCredentials(WIRE_API_KEY, WIRE_SECRET), storage_uri=f"redis+nope://:{WIRE_SECRET}@h/0"
        )
    texts.append(str(raised.value))
    for text in texts:
        leak_scan("repr", text)
        assert WIRE_SECRET not in text and WIRE_API_KEY not in text, text
    assert isinstance(BinanceWaitRefused("x", retry_after=1.0).retry_after, float)


@pytest.mark.parametrize("kind", ["hmac", "ed25519"])
@pytest.mark.parametrize("status", [404, 400, 503])
def test_an_answer_that_echoes_the_request_leaves_no_secret_in_the_error(status: int, kind: str) -> None:
    sent: list[httpx.Request] = []

    def echo(request: httpx.Request) -> httpx.Response:
        # What a proxy's error page or a debugging server does: quote the request back, in any form.
        sent.append(request)
        query = request.url.query.decode()
        key = request.headers.get(SIGNING.api_key_header)
        seen = f"{request.url} {query} decoded={unquote(query)} key={key}"
        if status != 404:
            return httpx.Response(status, json={"code": -1001, "msg": seen})
        return httpx.Response(status, content=f"<p>{'x' * 20} {seen}</p>".encode())

    credentials: Credentials = (
        HmacCredentials(WIRE_API_KEY, WIRE_SECRET)
        if kind == "hmac"
        else Ed25519Credentials(WIRE_API_KEY, ed25519.Ed25519PrivateKey.generate())
    )
    client = BinanceClient(credentials, transport=httpx.MockTransport(echo))
    with pytest.raises(BinanceAPIError) as raised:
        client.change_margin_type("BTCUSDT", "ISOLATED")
    query = sent[0].url.query.decode()
    signature = query.rpartition("signature=")[2]
    decoded = unquote(signature)
    assert len(signature) == 64 if kind == "hmac" else (len(decoded), decoded != signature) == (88, True)
    for text in (str(raised.value), raised.value.message):
        assert signature not in text and decoded not in text, text
        assert query not in text and WIRE_API_KEY not in text, text
        assert "<redacted>" in text
