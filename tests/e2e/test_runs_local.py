"""Runs nothing can corrupt (docs/releases.md), with real terraform on the basic fixture.

terraform is slowed or made to kill envman by an ``ENVMAN_TERRAFORM`` wrapper script:
``WRAP_MODE=sleep`` sleeps before `terraform apply` (touching ``WRAP_MARK`` first),
``WRAP_MODE=kill_after`` runs the apply and then SIGKILLs envman (its parent) before envman can
record anything. Any other mode runs terraform unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from envman.lease import process_alive
from tests.helpers import Cli

WRAPPER = """#!/bin/sh
for arg in "$@"; do
  if [ "$arg" = "apply" ]; then
    case "$WRAP_MODE" in
      sleep) touch "$WRAP_MARK"; sleep "${WRAP_SLEEP:-3}" ;;
      kill_after) "$REAL_TERRAFORM" "$@"; code=$?; kill -9 "$PPID"; exit $code ;;
    esac
  fi
done
exec "$REAL_TERRAFORM" "$@"
"""
SLOW = "terraform_data.slow: create started"
BOUND = 600  # polls of 0.1 s: a bound on waiting, never an assertion on time


@pytest.fixture
def wrapped(basic_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    real = shutil.which("terraform")
    assert real is not None
    script = basic_project / "tf-wrapper.sh"
    script.write_text(WRAPPER)
    script.chmod(0o755)
    monkeypatch.setenv("REAL_TERRAFORM", real)
    monkeypatch.setenv("ENVMAN_TERRAFORM", str(script))
    monkeypatch.setenv("WRAP_MODE", "none")
    monkeypatch.setenv("WRAP_MARK", str(basic_project / "apply-started"))
    return basic_project


class Run:
    """``python -m envman`` in the background, its output lines collected."""

    def __init__(self, project: Path, *args: str, mode: str = "none") -> None:
        self.lines: list[str] = []
        self.child = subprocess.Popen(
            [sys.executable, "-m", "envman", "--project", str(project), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "WRAP_MODE": mode},
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.child.stdout is not None
        for line in self.child.stdout:
            self.lines.append(line)

    def wait_for(self, needle: str) -> bool:
        return poll(lambda: any(needle in line for line in self.lines) or self.done())

    def done(self) -> bool:
        return self.child.poll() is not None

    def finish(self) -> int:
        code = self.child.wait(timeout=120)
        self.reader.join(timeout=5)
        return code

    def text(self) -> str:
        return "".join(self.lines)


def poll(condition: Any) -> bool:
    for _ in range(BOUND):
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


def history(cli: Cli) -> list[dict[str, Any]]:
    result = cli("history", "staging", "--json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def state_outputs(project: Path) -> dict[str, Any]:
    state = json.loads((project / "state" / "staging.tfstate").read_text())
    assert state["version"] == 4 and state["lineage"]
    return {k: v["value"] for k, v in state["outputs"].items()}


def lock_infos(project: Path) -> list[Path]:
    return [p for p in project.rglob("*.tfstate.lock.info")]


def terraform_pids(project: Path) -> list[tuple[int, str]]:
    pids = []
    for info in (project / ".envman" / "envs" / "staging" / "runs").glob("*/run.json"):
        doc = json.loads(info.read_text())
        if doc.get("terraform_pid"):
            pids.append((int(doc["terraform_pid"]), str(doc.get("terraform_start", ""))))
    return pids


def test_plan_during_apply_does_not_change_what_is_applied(wrapped: Path) -> None:
    cli = Cli(wrapped)
    run = Run(wrapped, "apply", "staging", "--set", "image_tag=A", "--yes", mode="sleep")
    try:
        assert poll(lambda: (wrapped / "apply-started").exists() or run.done()), run.text()
        assert not run.done(), run.text()
        other = cli("plan", "staging", "--set", "image_tag=B")  # while the apply waits
        assert other.exit_code == 0, other.output
        code = run.finish()
    finally:
        if not run.done():
            run.child.kill()
    assert code == 0, run.text()
    assert state_outputs(wrapped)["image_tag"] == "A"
    current = history(cli)[0]
    assert current["status"] == "applied" and current["inputs"]["image_tag"] == "A"
    assert current["outputs"]["image_tag"] == "A"
    outputs = json.loads(cli("outputs", "staging", "--json").stdout)
    assert outputs["image_tag"]["value"] == "A"


# (where envman is killed, the marker to wait for, the wrapper's mode, apply_delay)
KILL_POINTS = [
    ("before terraform starts", "apply-started", "sleep", 0),
    ("while a resource is created", SLOW, "none", 5),
    ("after terraform finished, before the record", "", "kill_after", 0),
]


@pytest.mark.parametrize(("point", "marker", "mode", "delay"), KILL_POINTS, ids=lambda v: v)
def test_kill_9_of_envman_mid_apply_is_reconciled(
    wrapped: Path, point: str, marker: str, mode: str, delay: int
) -> None:
    cli = Cli(wrapped)
    args = ("apply", "staging", "--set", "image_tag=v7", "--set", f"apply_delay={delay}", "--yes")
    run = Run(wrapped, *args, mode=mode)
    try:
        if marker == "apply-started":
            assert poll(lambda: (wrapped / marker).exists() or run.done()), run.text()
        elif marker:
            assert run.wait_for(marker), run.text()
        if marker and not run.done():  # (kill_after: the wrapper kills envman itself)
            run.child.send_signal(signal.SIGKILL)
        assert run.finish() == -signal.SIGKILL, run.text()
    finally:
        if not run.done():
            run.child.kill()
    if delay:  # while terraform still runs, the lock stays held and says why
        early = cli("apply", "staging", "--yes")
        if any(process_alive(p, s) for p, s in terraform_pids(wrapped)):
            assert early.exit_code == 1, early.output
            assert "still running after envman stopped" in early.output
    # terraform outlives envman: it finishes the apply on its own
    assert poll(lambda: not any(process_alive(p, s) for p, s in terraform_pids(wrapped)))
    assert state_outputs(wrapped)["image_tag"] == "v7"  # state complete and valid
    assert lock_infos(wrapped) == []  # terraform released its state lock
    assert history(cli)[0]["status"] == "applying"  # envman died before recording

    status = cli("status", "staging")
    assert status.exit_code == 0, status.output
    said = [line for line in status.output.splitlines() if "reconciled release #1" in line]
    assert len(said) == 1 and "applied" in said[0], status.output
    newest = history(cli)[0]
    assert newest["status"] == "applied" and newest["reconciled_at"]
    assert newest["outputs"]["image_tag"] == "v7"

    again = cli("apply", "staging", "--set", "image_tag=v8", "--yes")  # no unlock needed
    assert again.exit_code == 0, again.output
    assert "took over the operation lock" in again.output  # the dead run's lease, one line
    statuses = [r["status"] for r in history(cli)]
    assert statuses == ["applied", "applied"] and "applying" not in statuses
    assert state_outputs(wrapped)["image_tag"] == "v8"


def test_two_applies_at_once_one_waits_out(wrapped: Path) -> None:
    cli = Cli(wrapped)
    first = Run(wrapped, "apply", "staging", "--set", "image_tag=X", "--yes", mode="sleep")
    try:
        assert poll(lambda: (wrapped / "apply-started").exists() or first.done()), first.text()
        second = cli("apply", "staging", "--set", "image_tag=Y", "--yes")
        code = first.finish()
    finally:
        if not first.done():
            first.child.kill()
    assert code == 0, first.text()
    assert second.exit_code == 1, second.output
    assert "environment 'staging' is locked by apply of tester" in second.output
    releases = history(cli)
    assert [(r["seq"], r["status"]) for r in releases] == [(1, "applied")]
    assert releases[0]["inputs"]["image_tag"] == "X" == state_outputs(wrapped)["image_tag"]


HOOK = """
import json, os, sys
state = os.path.join(os.environ["ENVMAN_TEST_ROOT"], "state", "staging.tfstate")
tag = None
if os.path.exists(state):
    tag = json.load(open(state))["outputs"]["image_tag"]["value"]
with open(os.environ["HOOK_LOG"], "a") as f:
    f.write(json.dumps({"event": os.environ["ENVMAN_EVENT"], "state_tag": tag}) + "\\n")
"""


class Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def health() -> Iterator[tuple[str, type[Health]]]:
    handler = type("HealthCheck", (Health,), {"status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/health", handler
    finally:
        server.shutdown()
        server.server_close()


def test_before_apply_hook_runs_only_after_confirmation_and_before_auto_rollback(
    basic_project: Path, monkeypatch: pytest.MonkeyPatch, health: tuple[str, type[Health]]
) -> None:
    url, handler = health
    staging = basic_project / "environments" / "staging"
    (staging / "hook.py").write_text(HOOK)
    log = basic_project / "hooks.log"
    monkeypatch.setenv("HOOK_LOG", str(log))
    monkeypatch.setenv("ENVMAN_TEST_ROOT", str(basic_project))
    config = staging / "environment.hcl"
    config.write_text(
        config.read_text()
        + f'\nhook "before_apply" {{\n  command = {json.dumps([sys.executable, "hook.py"])}\n}}\n'
        + f'verify {{\n  http "api" {{\n    url = "{url}"\n    timeout = "2s"\n'
        + '    interval = "1s"\n  }\n  on_failure = "rollback"\n}\n'
    )
    cli = Cli(basic_project)

    def ran() -> list[Any]:
        lines = log.read_text().splitlines() if log.exists() else []
        return [json.loads(line)["state_tag"] for line in lines]

    assert cli("plan", "staging", "--set", "image_tag=v1").exit_code == 0
    refused = cli("apply", "staging", "--plan")  # no terminal, no --yes: refused
    assert refused.exit_code == 3, refused.output
    invalid = cli("apply", "staging", "--plan", "--set", "image_tag=v2", "--yes")
    assert invalid.exit_code == 1 and "cannot be combined with --plan" in invalid.output
    assert ran() == []  # neither ran a before_apply hook
    saved = cli("apply", "staging", "--plan", "--yes")  # the refused plan survived
    assert saved.exit_code == 0, saved.output
    assert ran() == [None] and state_outputs(basic_project)["image_tag"] == "v1"

    handler.status = 500
    failed = cli("apply", "staging", "--set", "image_tag=v2", "--yes")
    assert failed.exit_code == 4, failed.output
    # the apply's hook saw v1; the automatic rollback's hook ran before it re-applied v1
    assert ran() == [None, "v1", "v2"]
    kinds = [(r["kind"], r["status"]) for r in reversed(history(cli))]
    assert kinds[:2] == [("apply", "verified"), ("apply", "verify_failed")]
    assert kinds[2][0] == "rollback"
    assert state_outputs(basic_project)["image_tag"] == "v1"


def sleepers(seconds: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv[:2] == [b"sleep", seconds.encode()]:
            found.append(int(proc.name))
    return found


def test_ctrl_c_stops_terraform_and_its_provisioners(basic_project: Path) -> None:
    cli = Cli(basic_project)
    run = Run(basic_project, "apply", "staging", "--set", "apply_delay=97", "--yes")
    try:
        assert run.wait_for(SLOW), run.text()
        assert poll(lambda: sleepers("97")), run.text()
        run.child.send_signal(signal.SIGINT)
        code = run.finish()
    finally:
        if not run.done():
            run.child.kill()
    assert code == 130, run.text()
    assert poll(lambda: not sleepers("97")), "the provisioner's child outlived the interrupt"
    assert history(cli)[0]["status"] == "interrupted"
    assert lock_infos(basic_project) == []
