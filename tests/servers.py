"""Real HTTP servers on 127.0.0.1 for the operations tests (no tests here).

``Receiver`` records POST bodies (a Slack webhook stand-in) and answers with scripted
statuses; ``Health`` answers GET with 200, or 503 for paths listed in ``failing``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _Server:
    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.handle_get(self)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                owner.handle_post(self, self.rfile.read(length))

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        self.answer(request, 404)

    def handle_post(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        self.answer(request, 404)

    @staticmethod
    def answer(request: BaseHTTPRequestHandler, status: int, body: bytes = b"ok") -> None:
        request.send_response(status)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Receiver(_Server):
    """Records POSTed JSON; answers each with the next of ``statuses`` (then 200)."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.statuses = list(statuses or [])
        self.lock = threading.Lock()
        super().__init__()

    def handle_post(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        with self.lock:
            self.raw.append(body)
            status = self.statuses.pop(0) if self.statuses else 200
            if status == 200:
                self.bodies.append(json.loads(body))
        self.answer(request, status)

    def texts(self) -> list[str]:
        return [body["text"] for body in self.bodies]


class Health(_Server):
    """GET: 503 when the path ends with one of ``failing``, else 200."""

    def __init__(self) -> None:
        self.failing: set[str] = set()
        self.paths: list[str] = []
        super().__init__()

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        self.paths.append(request.path)
        bad = any(request.path.endswith(suffix) for suffix in self.failing)
        self.answer(request, 503 if bad else 200)


@contextmanager
def serving(server: _Server) -> Iterator[Any]:
    try:
        yield server
    finally:
        server.close()


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), for an HTTPS moto server."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@contextmanager
def tls_moto(directory: Path) -> Iterator[tuple[str, Path]]:
    """A moto server over HTTPS on 127.0.0.1: (url, CA bundle path)."""
    import os
    import ssl
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.moto_server import free_port

    cert, key = self_signed_cert(directory)
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
            "-s",
            "-c",
            str(cert),
            "-k",
            str(key),
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    context = ssl.create_default_context(cafile=str(cert))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=1, context=context):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the HTTPS moto server did not start") from None
                time.sleep(0.1)
        yield url, cert
    finally:
        process.terminate()
        process.wait(timeout=10)
