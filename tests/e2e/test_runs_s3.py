"""Locks and conditional writes on S3 (moto server), including a lost response (docs/releases.md).

A loopback proxy between boto3 and moto forwards the first conditional PUT to moto and then
closes the connection without passing the answer on: botocore retries, and S3 answers 412 to
envman's own write. envman must read it back and accept it: no foreign-lock error, no double
holder, no skipped seq.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from envman.aws.session import client
from envman.config.models import AwsSettings
from envman.errors import LockHeld
from envman.releases import oplock
from envman.releases.ledger import Ledger
from envman.releases.store_s3 import S3Store
from tests.helpers import Cli, need_terraform

pytestmark = pytest.mark.aws
PREFIX = "dev/terraform.tfstate.releases/"
DENIED = b"<Error><Code>AccessDenied</Code><Message>refused by the test proxy</Message></Error>"
ACKS = 10
ENVMAN = (sys.executable, "-m", "envman")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: DroppingProxy

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline().strip():
                pass  # trailers
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _forward(self) -> None:
        body = self._body()
        if self.server.should_refuse(self.command, self.path, self.headers):
            self._send(403, [], DENIED)  # S3 refusing a write: envman's status update fails
            return
        target = urlsplit(self.server.upstream)
        upstream = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
        skip = ("connection", "transfer-encoding", "content-length")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
        headers["Content-Length"] = str(len(body))
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        upstream.close()
        if self.server.should_drop(self.command, self.path, self.headers):
            self.close_connection = True  # moto stored it; the answer never reaches envman
            return
        self._send(response.status, response.getheaders(), data)

    def _send(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() in ("transfer-encoding", "connection"):
                continue
            if name.lower() == "content-length" and self.command != "HEAD":
                continue
            self.send_header(name, value)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = _forward


class DroppingProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.drop_next: str | None = None  # a key suffix whose next conditional PUT is dropped
        self.dropped: list[str] = []
        self.refuse_updates: str | None = None  # a key suffix whose If-Match PUTs get 403
        self.refused: list[str] = []

    def should_refuse(self, method: str, path: str, headers: Any) -> bool:
        suffix = self.refuse_updates
        key = path.split("?")[0]
        if method == "PUT" and headers.get("If-Match") and suffix and key.endswith(suffix):
            self.refused.append(path)
            return True
        return False

    def should_drop(self, method: str, path: str, headers: Any) -> bool:
        conditional = headers.get("If-None-Match") or headers.get("If-Match")
        suffix = self.drop_next
        if method == "PUT" and conditional and suffix and path.split("?")[0].endswith(suffix):
            self.drop_next = None
            self.dropped.append(path)
            return True
        return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def proxy(moto: str) -> Iterator[DroppingProxy]:
    server = DroppingProxy(moto)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def s3(url: str) -> Any:
    return client(AwsSettings(endpoint_url=url, region="us-east-1"), "s3")


@pytest.fixture
def bucket(moto: str) -> str:
    name = f"state-{uuid.uuid4().hex[:12]}"
    s3(moto).create_bucket(Bucket=name)
    return name


def test_lost_response_to_conditional_puts_is_recognised(
    proxy: DroppingProxy, moto: str, bucket: str
) -> None:
    store = S3Store(s3(proxy.url), bucket, PREFIX)
    direct = S3Store(s3(moto), bucket, PREFIX)
    proxy.drop_next = "lock.json"
    notes: list[str] = []
    with oplock.acquire(store, "apply", "alice", environment="dev", on_note=notes.append) as lock:
        assert proxy.dropped, "the proxy dropped nothing: the test tested nothing"
        holder = oplock.holder(direct)
        assert holder is not None and holder.id == lock.id and notes == []
        with pytest.raises(LockHeld, match="locked by apply of alice"):
            oplock.acquire(direct, "apply", "bob", environment="dev")
        proxy.drop_next = "lock.json"  # the renewal (If-Match) loses its answer too
        assert lock.renew() is True and len(proxy.dropped) == 2
        lock.check()
    assert oplock.holder(direct) is None  # released with a conditional delete

    ledger = Ledger(store, "dev")
    proxy.drop_next = "00000001.json"
    first = ledger.begin(kind="apply", inputs={"image": "v1"})
    assert len(proxy.dropped) == 3
    assert first.seq == 1 and Ledger(direct, "dev").seqs() == [1]  # no skipped seq
    proxy.drop_next = "00000001.json"
    updated = ledger.update(1, {"status": "applied"})
    assert updated is not None and updated.status == "applied"
    assert len(proxy.dropped) == 4
    assert ledger.begin(kind="apply").seq == 2


def test_lease_expiry_takeover_and_conditional_release(bucket: str, moto: str) -> None:
    store = S3Store(s3(moto), bucket, PREFIX)
    foreign = {
        "id": "old",
        "operation": "apply",
        "actor": "carol",
        "host": "another-host",
        "pid": 4242,
        "started_at": "2026-01-01T00:00:00Z",
        "expires_at": "2099-01-01T00:00:00Z",
    }
    assert store.create("lock.json", json.dumps(foreign).encode())
    with pytest.raises(LockHeld, match="carol on another-host"):  # a live lease elsewhere
        oplock.acquire(store, "apply", "alice", environment="dev")
    found = store.read_versioned("lock.json")
    assert found is not None
    expired = {**foreign, "expires_at": "2026-01-01T00:10:00Z"}
    assert store.replace_if("lock.json", json.dumps(expired).encode(), found.version)
    notes: list[str] = []
    first = oplock.acquire(store, "apply", "alice", environment="dev", on_note=notes.append)
    assert notes == [
        "took over the operation lock of apply of carol on another-host (pid 4242): "
        "its lease expired at 2026-01-01T00:10:00Z"
    ]
    # someone takes it from us (as after our own expiry): our release must not delete theirs
    assert oplock.force_release(store, first.id)
    second = oplock.acquire(store, "rollback", "bob", environment="dev")
    assert first.renew() is False
    with pytest.raises(LockHeld, match="taken over by rollback of bob"):
        first.check()
    first.release()
    holder = oplock.holder(store)
    assert holder is not None and holder.id == second.id
    stale = store.read_versioned("lock.json")
    assert stale is not None and second.renew()
    assert store.delete_if("lock.json", stale.version) is False  # If-Match refused by S3
    second.release()
    assert oplock.holder(store) is None


S3_ENV = """
stack = "../../stack"
backend "s3" {{
  bucket = "{bucket}"
  key    = "dev/terraform.tfstate"
  region = "us-east-1"
}}
aws {{
  region       = "us-east-1"
  endpoint_url = "{endpoint}"
}}
"""
LOCAL_ENV = """
stack = "../../stack"
backend "local" {
  path = "state/dev.tfstate"
}
"""


def ack_project(tmp_path: Path, env_text: str, backend: str) -> Path:
    project = tmp_path / "project"
    (project / "environments" / "dev").mkdir(parents=True)
    (project / "stack").mkdir()
    (project / "stack" / "main.tf").write_text(f'terraform {{\n  backend "{backend}" {{}}\n}}\n')
    (project / "environments" / "dev" / "environment.hcl").write_text(env_text)
    return project


def last_check(count: int) -> bytes:
    findings = [
        {"fingerprint": f"fp{i:02d}", "address": f"aws_s3_bucket.b{i}", "attribute": "tags"}
        for i in range(count)
    ]
    return json.dumps({"schema": 1, "status": "drifted", "findings": findings}).encode()


def ack_options(i: int) -> list[str]:
    return ["--reason", f"known {i}", "--expires", "2099-01-01"]


def concurrent_acks(project: Path) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "ENVMAN_PROJECT": str(project)}
    children = [
        subprocess.Popen(
            [*ENVMAN, "drift", "ack", "dev", f"fp{i:02d}", *ack_options(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(ACKS)
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return results


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_ten_concurrent_drift_acks_are_all_kept(
    tmp_path: Path, moto: str, bucket: str, backend: str
) -> None:
    if backend == "s3":
        project = ack_project(tmp_path, S3_ENV.format(bucket=bucket, endpoint=moto), "s3")
        store: Any = S3Store(s3(moto), bucket, PREFIX)
    else:
        from envman.releases.store_local import LocalStore

        project = ack_project(tmp_path, LOCAL_ENV, "local")
        store = LocalStore(project / "state" / "dev.tfstate.releases")
    assert store.create("drift/last.json", last_check(ACKS))
    results = concurrent_acks(project)
    for result in results:
        assert result.returncode == 0, result.stderr
    baseline = json.loads(store.read("drift/baseline.json") or b"{}")
    kept = sorted(e["fingerprint"] for e in baseline["entries"])
    assert kept == [f"fp{i:02d}" for i in range(ACKS)]


STACK = """
terraform {
  backend "s3" {}
}
variable "image_tag" {
  type    = string
  default = "v1"
}
variable "health_base" {
  type = string
}
resource "terraform_data" "app" {
  input = var.image_tag
}
output "health_url" {
  value = "${var.health_base}/${terraform_data.app.output}"
}
"""
DEPLOY_ENV = """
stack = "../../stack"
backend "s3" {{
  bucket         = "{bucket}"
  key            = "staging/terraform.tfstate"
  region         = "us-east-1"
  use_path_style = true
}}
aws {{
  region       = "us-east-1"
  endpoint_url = "{endpoint}"
}}
verify {{
  http "api" {{
    url_output = "health_url"
    timeout    = "2s"
    interval   = "1s"
  }}
  on_failure = "rollback"
}}
notify "slack" {{
  webhook_url_env = "RUNS_SLACK"
}}
"""


class Health(BaseHTTPRequestHandler):
    """200 for /v1, 500 for anything else; POSTs (webhooks) are collected."""

    posts: ClassVar[list[bytes]] = []

    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/v1" else 500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        type(self).posts.append(self.rfile.read(length))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_failed_status_write_never_skips_verification_rollback_or_notifications(
    tmp_path: Path, proxy: DroppingProxy, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_terraform()

    class Site(Health):
        posts: ClassVar[list[bytes]] = []

    handler = Site
    site = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{site.server_address[1]}"
    monkeypatch.setenv("RUNS_SLACK", f"{base}/hooks/T0/B0/x")
    project = tmp_path / "project"
    (project / "stack").mkdir(parents=True)
    (project / "stack" / "main.tf").write_text(STACK)
    env_dir = project / "environments" / "staging"
    env_dir.mkdir(parents=True)
    (env_dir / "environment.hcl").write_text(DEPLOY_ENV.format(bucket=bucket, endpoint=proxy.url))
    (env_dir / "terraform.tfvars").write_text(f'health_base = "{base}"\n')
    cli = Cli(project)
    try:
        first = cli("apply", "staging", "--yes")
        assert first.exit_code == 0, first.output
        proxy.refuse_updates = "staging/terraform.tfstate.releases/00000002.json"
        failed = cli("apply", "staging", "--set", "image_tag=v2", "--yes")
        proxy.refuse_updates = None
    finally:
        site.shutdown()
        site.server_close()
    assert failed.exit_code == 4, failed.output  # verification ran and failed
    assert proxy.refused, "the proxy refused nothing: the test tested nothing"
    assert "could not record release #2 as applied" in failed.output
    posts = b"".join(handler.posts).decode()
    assert "verification failed on staging" in posts  # notified despite the failed write
    assert "rolled back automatically" in posts, failed.output
    releases = json.loads(cli("history", "staging", "--json").stdout)
    assert [(r["seq"], r["kind"], r["status"]) for r in releases] == [
        (3, "rollback", "verified"),
        (2, "apply", "applying"),  # the write failed: repaired by the next run
        (1, "apply", "verified"),
    ]
    status = cli("status", "staging")
    said = [line for line in status.output.splitlines() if "reconciled release #2" in line]
    assert len(said) == 1 and "rolled_back" in said[0], status.output
    repaired = json.loads(cli("history", "staging", "--json").stdout)[1]
    assert repaired["status"] == "rolled_back" and repaired["reconciled_at"]
