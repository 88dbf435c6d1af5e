"""A fresh process's first call sends right after it reserves weight.

The budget reads the clock to pick the rate-limit window a request is counted in (`_budget.py`). What the
client does between that reading and sending is time in which the window can end: a request counted in
one window reaches the server in the next, which then takes one request more than the shared budget
allows (a 429). Set-up belongs before the reservation: here, nothing is imported (the HTTP library, its
TLS defaults) between the first reservation and the first byte on the wire. Judged in a new interpreter
(where every import is a first one) by what it loaded, never by how long it took.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests._loopback import hmac_verifier, loopback_server
from tests._secrets import WIRE_API_KEY, WIRE_SECRET

_FIRST_CALL = """
import asyncio, json, socket, sys
from binance_margin import BinanceClient, HmacCredentials
from binance_margin._budget import Budget

marks = {}
reserve = Budget.reserve

def noting_reserve(self, *args):
    result = reserve(self, *args)
    marks.setdefault("reserved", set(sys.modules))
    return result

Budget.reserve = noting_reserve
for name in ("send", "sendall"):  # httpcore writes with sendall, asyncio's transports with send
    def noting_write(self, data, *args, _write=getattr(socket.socket, name)):
        if "reserved" in marks:
            marks.setdefault("sending", set(sys.modules))
        return _write(self, data, *args)
    setattr(socket.socket, name, noting_write)

api_key, secret, base_url, mode = sys.argv[1:]
client = BinanceClient(HmacCredentials(api_key, secret), base_url=base_url, futures_base_url=base_url)
if mode == "async":
    async def main():
        async with client:
            await client.acoin_list()
    asyncio.run(main())
else:
    with client:
        client.coin_list()
print(json.dumps({"loaded": sorted(marks["sending"] - marks["reserved"]), "before": len(marks["reserved"])}))
"""


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_nothing_is_loaded_between_the_first_reservation_and_sending(mode: str) -> None:
    with loopback_server(hmac_verifier(WIRE_SECRET)) as server:
        child = subprocess.run(
            [sys.executable, "-c", _FIRST_CALL, WIRE_API_KEY, WIRE_SECRET, server.base_url, mode],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert child.returncode == 0, child.stderr
        assert [seen.signature_valid for seen in server.seen] == [True]  # the call was made, and signed
    found = json.loads(child.stdout)
    assert found["loaded"] == [], found  # modules first imported after the reservation
    assert found["before"] > 0
