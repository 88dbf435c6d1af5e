"""The mock on a real socket: uvicorn in a thread, the CLI on port 0, a dropped connection."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from binance_margin_api.spec_metadata import OPERATIONS, RATE_LIMITS
from binance_margin_mock import DEFAULT_SCENARIO

from tests._mock_server import running_mock

from ._signer import encode
from .conftest import HMAC

ROOT = Path(__file__).resolve().parents[2]
COIN_LIST = OPERATIONS["getSmallLiabilityExchangeCoinList"]
BANNER = re.compile(r"^binance-margin-mock listening on (http://127\.0\.0\.1:(\d+))$")


def test_cli_on_port_0_prints_the_banner_and_serves() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / d) for d in ("overrides", "generated_client", "mock")),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from binance_margin_mock._cli import main; main()", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        match = BANNER.match(process.stdout.readline().rstrip("\n"))
        assert match, "no banner"
        rest = [process.stdout.readline() for _ in range(5)]
        assert int(match.group(2)) > 0
        assert any(HMAC.api_key in line and HMAC.secret in line for line in rest if HMAC.secret)
        assert any(
            str(DEFAULT_SCENARIO.parent.parent / "demo_keys" / "rsa_private.pem") in line for line in rest
        )
        response = httpx.get(f"{match.group(1)}/api/v3/time", timeout=10)
        assert response.status_code == 200
        assert "serverTime" in response.json()
    finally:
        process.terminate()
        process.wait(10)


def test_running_mock_drops_the_connection_and_is_controllable() -> None:
    with running_mock() as mock, httpx.Client(base_url=mock.base_url, timeout=10) as http:
        mock.control.add_fault(kind="drop", operation="GET /api/v3/time", count=1)
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/api/v3/time")
        assert http.get("/api/v3/time").status_code == 200
        before = http.get("/api/v3/time").json()["serverTime"]
        assert mock.control.advance(3600) - before >= 3_600_000
        payload = encode(
            [("type", "MARGIN"), ("timestamp", str(http.get("/api/v3/time").json()["serverTime"]))]
        )
        response = http.post(
            "/sapi/v1/margin/manual-liquidation",
            content=f"{payload}&signature={HMAC.sign(payload.encode())}",
            headers={"X-MBX-APIKEY": HMAC.api_key, "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 200, response.text
        assert mock.control.state()["accounts"]["10000001"]["cross"] == []


def test_a_forwarded_for_header_does_not_choose_the_ip_weight_is_counted_on() -> None:
    with running_mock() as mock, httpx.Client(base_url=mock.base_url, timeout=10) as http:

        def used(headers: dict[str, str]) -> int:
            timestamp = http.get("/api/v3/time").json()["serverTime"]
            payload = encode([("timestamp", str(timestamp))])
            response = http.get(
                f"/sapi/v1/margin/exchange-small-liability?{payload}&signature={HMAC.sign(payload.encode())}",
                headers={"X-MBX-APIKEY": HMAC.api_key, **headers},
            )
            assert response.status_code == 200, response.text
            return int(response.headers[RATE_LIMITS[COIN_LIST.rate_limit].used_weight_header])

        assert used({}) == COIN_LIST.weight
        # Counted on the socket's IP again, not on a new, empty budget for the address the header names.
        assert used({"X-Forwarded-For": "203.0.113.7"}) == 2 * COIN_LIST.weight


@pytest.mark.parametrize(
    "arguments",
    [
        ["--scenario", "absent.toml"],
        ["--window-seconds", "-5"],
        ["--port", "{taken}"],
        ["--port", "99999"],
        ["--port", "-1"],
        ["--log-level", "bogus"],
        ["--scenario", "{bad-key}"],
        ["--scenario", "{bad-position}"],
        ["--scenario", "{deep-json}"],
    ],
    ids=[
        "missing-scenario",
        "negative-window",
        "port-in-use",
        "port-too-big",
        "port-negative",
        "log-level",
        "key-does-not-load",
        "position-not-a-decimal",
        "json-nested-too-deeply",
    ],
)
def test_the_cli_that_cannot_start_says_why_and_exits_2(arguments: list[str], tmp_path: Path) -> None:
    import socket

    bad_key = tmp_path / "bad-key.toml"
    bad_key.write_text('[[accounts]]\nid = 7\nkeys = [{api_key = "r1", type = "RSA", public_key = "junk"}]\n')
    bad_position = tmp_path / "bad-position.toml"
    bad_position.write_text('[[accounts]]\nid = 7\nfutures = [{symbol = "BTCUSDT", position = "abc"}]\n')
    deep_json = tmp_path / "deep.json"
    deep_json.write_text("[" * 100_000 + "]" * 100_000)
    files = {"{bad-key}": bad_key, "{bad-position}": bad_position, "{deep-json}": deep_json}
    arguments = [str(files.get(a, a)) for a in arguments]
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "binance_margin_mock._cli",
                *(a.replace("{taken}", port) for a in arguments),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "binance-margin-mock" in result.stderr
    assert "listening on" not in result.stdout  # nothing claims to be serving
