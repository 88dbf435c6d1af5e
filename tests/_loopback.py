"""A real HTTP server on a loopback socket that checks signatures from the raw request line and body.

It shares no code with the client: it parses the bytes it received, splits off the last `signature`
parameter, and verifies it over exactly the bytes before it, with the secret or the public key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

Verifier = Callable[[bytes, str], bool]


def hmac_verifier(secret: str) -> Verifier:
    def verify(payload: bytes, signature: str) -> bool:
        expected = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)

    return verify


def public_key_verifier(public: rsa.RSAPublicKey | ed25519.Ed25519PublicKey) -> Verifier:
    def verify(payload: bytes, signature: str) -> bool:
        raw = base64.b64decode(signature)
        try:
            if isinstance(public, rsa.RSAPublicKey):
                public.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
            else:
                public.verify(raw, payload)
        except InvalidSignature:
            return False
        return True

    return verify


@dataclass
class Seen:
    """One request as received: raw target, body, API key header, verdict, and decoded parameters."""

    method: str
    raw_target: str
    body: bytes
    api_key: str | None
    signature_valid: bool
    params: list[tuple[str, str]]


@dataclass
class LoopbackServer:
    base_url: str
    seen: list[Seen] = field(default_factory=list)
    connections: set[tuple[str, int]] = field(default_factory=set)  # client addresses seen


CANNED = {
    ("GET", "/sapi/v1/margin/exchange-small-liability"): (
        200,
        b'[{"asset":"ETH","interest":"0.00083334","principal":"0.001","liabilityAsset":"USDT","liabilityQty":0.3552}]',
    ),
    ("POST", "/sapi/v1/margin/exchange-small-liability"): (200, b""),
    ("POST", "/sapi/v1/margin/manual-liquidation"): (
        200,
        b'{"asset":"ETH","interest":"0.00083334","principal":"0.001","liabilityAsset":"USDT","liabilityQty":0.3552}',
    ),
    ("POST", "/fapi/v1/marginType"): (200, b'{"code":200,"msg":"success"}'),
}


@contextmanager
def loopback_server(verify: Verifier, tls: ssl.SSLContext | None = None) -> Iterator[LoopbackServer]:
    """The server, over TLS with `tls` (a server-side context) if given."""
    state = LoopbackServer(base_url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # silence stderr
            return

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path, _, query = self.path.partition("?")
            payload_and_sig = query + (body.decode("ascii") if body else "")
            payload, marker, signature = payload_and_sig.rpartition("&signature=")
            valid = (
                bool(marker) and "&" not in signature and verify(payload.encode("ascii"), unquote(signature))
            )
            params = [
                (unquote(k), unquote(v)) for k, _, v in (p.partition("=") for p in payload.split("&") if p)
            ]
            state.connections.add(self.client_address)
            state.seen.append(
                Seen(self.command, self.path, body, self.headers.get("X-MBX-APIKEY"), valid, params)
            )
            status, answer = CANNED.get((self.command, path), (404, b'{"code":-1,"msg":"no route"}'))
            if not valid:
                status, answer = 400, json.dumps({"code": -1022, "msg": "Signature is not valid."}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = _handle
        do_POST = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    state.base_url = f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
