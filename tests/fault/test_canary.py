"""Canary secrets (issue #7): a sensitive variable's value must leak nowhere envman writes.

The basic fixture's stack has a sensitive variable ``api_token`` returned as a sensitive
output. Staging gets a DIFFERENT canary through its terraform.tfvars, and later another one
through ``--set``; it also gets an after_apply hook that dumps its environment, a Slack
notifier pointed at a local HTTP receiver, and $GITHUB_STEP_SUMMARY. Every command's stdout
and stderr, every file under .envman/ (zip plan files unpacked), the ledger records, the hook's
environment dump, the webhook bodies and the step summary are searched for the canaries.

Excluded on purpose: the terraform state files (``state/*.tfstate*``). Terraform stores
sensitive values in state in plain text; that is terraform's design, and protecting state is
the backend's job (S3 encryption, access control), not something envman can change.

Saved plan files: terraform writes the values of ALL variables, sensitive ones included, into
its plan file (a zip; the ``tfplan`` member). That is terraform's behaviour and a saved plan
must exist between ``envman plan`` and ``envman apply --plan``, so while it exists it must be
private (0600). But once an apply has consumed a plan there is no reason to keep it: envman
should delete it, so after any apply no file under .envman/ may hold the secret.
"""

from __future__ import annotations

import io
import json
import stat
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli, Result

CANARY = "tfvars-canary-7d41e0b9"
CANARY2 = "set-canary-c0ffee42"
CANARIES = (CANARY, CANARY2)


class Receiver:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                owner.bodies.append(self.rfile.read(length))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/T0/B0/x"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    server = Receiver()
    monkeypatch.setenv("CANARY_SLACK", server.url)
    yield server
    server.close()


@pytest.fixture
def summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "step-summary.md"
    path.write_text("")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    return path


def leaks(data: bytes) -> list[str]:
    return [c for c in CANARIES if c.encode() in data]


def scan_files(folder: Path, skip_plans: bool = False) -> dict[str, list[str]]:
    """Every file under ``folder`` that holds a canary (zip members searched too)."""
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if skip_plans and path.suffix == ".tfplan":
            continue
        data = path.read_bytes()
        hits = leaks(data)
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    for hit in leaks(archive.read(member)):
                        hits.append(f"{hit} in member {member}")
        if hits:
            found[str(path.relative_to(folder))] = hits
    return found


def test_canaries_appear_nowhere(
    basic_project: Path, tmp_path: Path, receiver: Receiver, summary: Path
) -> None:
    project = basic_project
    staging = project / "environments" / "staging"
    (staging / "terraform.tfvars").write_text(f'replicas  = 2\napi_token = "{CANARY}"\n')
    hcl = staging / "environment.hcl"
    hcl.write_text(
        hcl.read_text()
        + """
hook "after_apply" {
  command     = ["sh", "-c", "env > hook-env.txt"]
  working_dir = "../.."
}

notify "slack" {
  webhook_url_env = "CANARY_SLACK"
}
"""
    )
    cli = Cli(project)
    results: list[tuple[str, Result]] = []
    problems: list[str] = []

    def run(*args: str, expect: int | tuple[int, ...] = 0) -> Result:
        result = cli(*args)
        codes = expect if isinstance(expect, tuple) else (expect,)
        assert result.exit_code in codes, f"{args}: exit {result.exit_code}\n{result.output}"
        results.append((" ".join(args), result))
        return result

    run("plan", "staging")
    plan_json = run("plan", "staging", "--json")
    assert json.loads(plan_json.stdout)["summary"]["add"] == 3
    # terraform's plan file holds the sensitive value (terraform's behaviour); it must be private
    plans = list((project / ".envman").rglob("*.tfplan"))
    assert plans
    for plan in plans:
        assert leaks(plan.read_bytes()) or scan_files(plan.parent), "plan no longer holds it?"
        mode = stat.S_IMODE(plan.stat().st_mode)
        if mode & 0o077:
            problems.append(f"saved plan {plan.name} holds the secret and has mode {mode:o}")

    run("apply", "staging", "--yes")
    outputs = run("outputs", "staging", "--json")
    assert json.loads(outputs.stdout)["api_token"]["sensitive"] is True
    run("outputs", "staging")
    run("history", "staging")
    run("history", "staging", "--json")
    run("status")
    run("status", "--json")
    for fmt in ("text", "json", "markdown", "junit"):
        report = tmp_path / f"drift.{fmt}"
        run("drift", "staging", "--format", fmt, "--report", str(report), "--notify")
        assert report.is_file()
    # a second canary through --set, then a failing verbose command that carries it
    run("apply", "staging", "--yes", "--set", f"api_token={CANARY2}", "--set", "image_tag=v2")
    run("outputs", "staging", "--json")
    run("history", "staging", "--json")
    run(
        "-v",
        "apply",
        "staging",
        "--yes",
        "--set",
        f"api_token={CANARY2}",
        "--set",
        "replicas=not-a-number",
        expect=1,
    )
    run("-v", "plan", "staging", "--set", f"api_token={CANARY2}", "--set", "nosuch=1", expect=1)

    # the secret really went through terraform (else this test proves nothing)
    state = (project / "state" / "staging.tfstate").read_text()
    assert CANARY2 in state

    for args, result in results:
        for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            for hit in leaks(text.encode()):
                problems.append(f"`envman {args}` {name}: {hit}")

    hook_env = project / "hook-env.txt"
    assert hook_env.is_file(), "the after_apply hook did not run"
    problems += [f"hook environment: {h}" for h in leaks(hook_env.read_bytes())]
    assert receiver.bodies, "no webhook was sent"
    problems += [f"webhook body: {h}" for body in receiver.bodies for h in leaks(body)]
    assert summary.read_text(), "nothing was written to the step summary"
    problems += [f"step summary: {h}" for h in leaks(summary.read_bytes())]
    for report in tmp_path.glob("drift.*"):
        problems += [f"drift report {report.name}: {h}" for h in leaks(report.read_bytes())]

    # ledger records and drift documents live next to the state: all but the state itself
    releases = project / "state" / "staging.tfstate.releases"
    assert list(releases.glob("*.json"))
    problems += [f"ledger {k}: {v}" for k, v in scan_files(releases).items()]
    # NOT scanned: state/*.tfstate and *.tfstate.backup (terraform keeps secrets in state)

    # every file envman keeps under .envman/ (inputs, metadata, plan files and their members)
    problems += [f".envman/{k}: {v}" for k, v in scan_files(project / ".envman").items()]
    assert problems == [], "\n".join(problems)
