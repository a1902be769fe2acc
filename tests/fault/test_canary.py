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
from dataclasses import dataclass
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


# -- the canary matrix (issue 13) ---------------------------------------------------------
#
# One project, applied once, shared by every assertion: each way a value can be sensitive by
# each place it could leak. Canaries are unique strings, so a substring search is exact.

SENSITIVE_WAYS = {
    "sensitive = true (tfvars)": "bool-canary-5e1d8a",
    'sensitive = "true" (tfvars heredoc)': "string-canary-93b7c1",
    "sensitive output": "output-canary-0a6f2e",
    "secret in *.auto.tfvars.json": "json-canary-d2c48b",
    "--set": "set-canary-7b90e3",
    "TF_VAR_ of a sensitive variable": "envvar-canary-2c8d5f",
    "pin of an older release": "pin-canary-41ce07",
    "terraform diagnostic echo": "cidr-canary-8f2a61",
    "broken tfvars heredoc": "heredoc-canary-c3d9e5",
    "webhook URL": "webhook-canary-6a1b4f",
}
CANARY_STACK = """
terraform {
  backend "local" {}
}

variable "tok_bool" {
  type      = string
  sensitive = true
}

variable "tok_str" {
  type      = string
  sensitive = "true"
}

variable "tok_json" {
  type      = string
  sensitive = true
  default   = ""
}

variable "tok_set" {
  type      = string
  sensitive = "true"
  default   = "x"
}

variable "tok_env" {
  type      = string
  sensitive = true
  default   = ""
}

variable "tok_pin" {
  type      = string
  sensitive = "true"
  default   = ""
}

variable "net" {
  type      = string
  sensitive = true
  default   = "10.0.0.0/16"
}

variable "image_tag" {
  type    = string
  default = "v1"
}

resource "terraform_data" "app" {
  input = var.image_tag
}

resource "terraform_data" "secrets" {
  input = [var.tok_bool, var.tok_str, var.tok_json, var.tok_set, var.tok_env, var.tok_pin]
}

# cidrhost() runs at apply time (the output is unknown while planning) and terraform's error
# then echoes the value: "invalid CIDR address: <the value>"
resource "terraform_data" "net" {
  input = var.net
}

resource "terraform_data" "ip" {
  input = cidrhost(terraform_data.net.output, 1)
}

output "image_tag" {
  value = terraform_data.app.output
}

output "token" {
  value     = "output-canary-0a6f2e"
  sensitive = true
}
"""
ENV_HCL = """
description = "{name}"
stack       = "../../stack"

backend "local" {{
  path = "state/{name}.tfstate"
}}
"""
HOOKS_AND_NOTIFY = """
release_variables = ["tok_pin"]  # an older release pinned it: carried forward, never shown

hook "before_apply" {
  command     = ["sh", "-c", "echo early: $(cat environments/staging/*.tfvars*)"]
  working_dir = "../.."
}

hook "after_apply" {
  command     = ["sh", "-c", "env > hook-env.txt; echo leaked: $(cat environments/staging/terraform.tfvars)"]
  working_dir = "../.."
}

notify "slack" {
  webhook_url_env = "CANARY_SLACK"
}
"""
PIN_RECORD = {
    "schema": 1,
    "environment": "staging",
    "seq": 1,
    "kind": "apply",
    "status": "applied",
    "inputs": {"image_tag": "v1", "tok_pin": "pin-canary-41ce07"},
    "started_at": "2026-01-01T00:00:00Z",
    "finished_at": "2026-01-01T00:01:00Z",
}
PLACES = (
    "stdout",
    "stderr",
    "-v output",
    "ledger records",
    "drift reports",
    "drift documents",
    "slack bodies",
    "step summary",
    "hook environment",
    "hook output",
    ".envman files",
)


def _write_canary_project(root: Path) -> None:
    c = SENSITIVE_WAYS
    (root / "stack").mkdir(parents=True)
    (root / "stack" / "main.tf").write_text(CANARY_STACK)
    for name in ("staging", "broken"):
        folder = root / "environments" / name
        folder.mkdir(parents=True)
        (folder / "environment.hcl").write_text(ENV_HCL.format(name=name))
    staging = root / "environments" / "staging"
    (staging / "environment.hcl").write_text(
        (staging / "environment.hcl").read_text() + HOOKS_AND_NOTIFY
    )
    (staging / "terraform.tfvars").write_text(
        f'tok_bool = "{c["sensitive = true (tfvars)"]}"\n'
        f"tok_str  = <<EOT\n{c[chr(115) + 'ensitive = ' + chr(34) + 'true' + chr(34) + ' (tfvars heredoc)']}\nEOT\n"
    )
    (staging / "secrets.auto.tfvars.json").write_text(
        json.dumps({"tok_json": c["secret in *.auto.tfvars.json"]})
    )
    broken = root / "environments" / "broken"
    (broken / "terraform.tfvars").write_text(
        f'tok_bool = "fine"\ntok_str = <<EOT\n{c["broken tfvars heredoc"]}\n'
    )
    releases = root / "state" / "staging.tfstate.releases"
    releases.mkdir(parents=True)
    (releases / "00000001.json").write_text(json.dumps(PIN_RECORD))


@dataclass
class Scenario:
    root: Path
    runs: list[tuple[str, bool, Result]]  # (args, verbose, result)
    bodies: list[bytes]
    summary: bytes
    reports: dict[str, bytes]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    from tests.helpers import need_terraform

    need_terraform()
    base = tmp_path_factory.mktemp("canary-matrix")
    root = base / "project"
    _write_canary_project(root)
    receiver = Receiver()
    receiver.url = receiver.url.replace("/x", f"/{SENSITIVE_WAYS['webhook URL']}")
    summary = base / "step-summary.md"
    summary.write_text("")
    with pytest.MonkeyPatch.context() as mp:
        _isolate(mp, base)
        mp.setenv("CANARY_SLACK", receiver.url)
        mp.setenv("TF_VAR_tok_env", SENSITIVE_WAYS["TF_VAR_ of a sensitive variable"])
        mp.setenv("GITHUB_STEP_SUMMARY", str(summary))
        mp.setenv("GITHUB_ACTIONS", "true")
        try:
            runs = _play(Cli(root), base)
        finally:
            receiver.close()
    reports = {p.name: p.read_bytes() for p in base.glob("drift.*")}
    yield Scenario(root, runs, receiver.bodies, summary.read_bytes(), reports)


def _isolate(mp: pytest.MonkeyPatch, base: Path) -> None:
    """What tests/conftest.py's autouse fixture does, for this module-scoped scenario."""
    cache = base / "plugin-cache"
    cache.mkdir()
    mp.setenv("ENVMAN_PLUGIN_CACHE_DIR", str(cache))
    mp.setenv("ENVMAN_ACTOR", "tester")
    mp.setenv("XDG_CACHE_HOME", str(base / "xdg-cache"))
    mp.setenv("TF_CLI_CONFIG_FILE", str(base / "missing.tfrc"))
    for name in ("ENVMAN_PROJECT", "ENVMAN_NOW", "TF_LOG", "ENVMAN_PROVIDER_MIRROR"):
        mp.delenv(name, raising=False)


def _play(cli: Cli, base: Path) -> list[tuple[str, bool, Result]]:
    c = SENSITIVE_WAYS
    runs: list[tuple[str, bool, Result]] = []

    def run(*args: str, expect: int = 0) -> Result:
        result = cli(*args)
        assert result.exit_code == expect, f"{args}: exit {result.exit_code}\n{result.output}"
        runs.append((" ".join(args), args[0] == "-v", result))
        return result

    tok_set = f"tok_set={c['--set']}"
    run("plan", "staging", "--set", tok_set)
    run("plan", "staging", "--json", "--set", tok_set)
    run("apply", "staging", "--plan", "--yes")
    first = cli.project / "state" / "staging.tfstate"
    (base / "first-apply.tfstate").write_bytes(first.read_bytes())  # outside the project
    run("apply", "staging", "--yes", "--set", tok_set)
    run("outputs", "staging")
    run("outputs", "staging", "--json")
    run("history", "staging")
    run("history", "staging", "--json")
    run("status")
    run("status", "--json")
    for fmt in ("text", "json", "markdown", "junit"):
        report = base / f"drift.{fmt}"
        run(
            "drift",
            "staging",
            "broken",
            "--format",
            fmt,
            "--report",
            str(report),
            "--notify",
            expect=1,
        )
    bad_net = f"net=not-a-cidr-{c['terraform diagnostic echo']}"
    failed = run("-v", "apply", "staging", "--yes", "--set", tok_set, "--set", bad_net, expect=1)
    assert "invalid CIDR address" in failed.stderr  # terraform's message, value redacted
    run("-v", "history", "staging", "--json")
    run("-v", "plan", "staging", "--set", c["--set"], expect=1)  # the secret without NAME=
    run("-v", "plan", "broken", expect=1)
    run("-v", "drift", "broken", expect=1)
    return runs


def _hits(data: bytes | str, canary: str) -> bool:
    raw = data.encode() if isinstance(data, str) else data
    return canary.encode() in raw or json.dumps(canary).encode()[1:-1] in raw


def _place_texts(s: Scenario, place: str) -> dict[str, bytes]:
    """Everything written to one place, by where it came from."""
    releases = s.root / "state" / "staging.tfstate.releases"
    broken = s.root / "state" / "broken.tfstate.releases"
    ledger_files = [
        p
        for folder in (releases, broken)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "00000001.json"  # the planted pin itself
    ]
    if place in ("stdout", "stderr"):
        return {a: getattr(r, place).encode() for a, v, r in s.runs if not v}
    if place == "-v output":
        return {a: r.output.encode() for a, v, r in s.runs if v}
    if place == "ledger records":
        return {str(p): p.read_bytes() for p in ledger_files if "drift" not in p.parts}
    if place == "drift documents":
        return {str(p): p.read_bytes() for p in ledger_files if "drift" in p.parts}
    if place == "drift reports":
        return s.reports
    if place == "slack bodies":
        return {f"body {i}": b for i, b in enumerate(s.bodies)}
    if place == "step summary":
        return {"GITHUB_STEP_SUMMARY": s.summary}
    if place == "hook environment":
        return {"hook-env.txt": (s.root / "hook-env.txt").read_bytes()}
    if place == "hook output":
        return {
            a: "\n".join(x for x in r.stderr.splitlines() if "_apply]" in x).encode()
            for a, _, r in s.runs
        }
    assert place == ".envman files"
    return {
        str(p): p.read_bytes()
        for p in sorted((s.root / ".envman").rglob("*"))
        if p.is_file() and p.suffix != ".tfplan"  # terraform's own plan files (owner-only)
    }


def test_the_matrix_really_ran(scenario: Scenario) -> None:
    """Else the matrix proves nothing: the values reached terraform, hooks, receivers."""
    c = SENSITIVE_WAYS
    state = (scenario.root.parent / "first-apply.tfstate").read_text()
    ways = ("sensitive = true (tfvars)", "secret in *.auto.tfvars.json", "--set", "TF_VAR_")
    for way in (w for w in c if w.startswith(ways)):
        assert c[way] in state, way
    assert c["pin of an older release"] in state  # the pin was applied, and never shown
    assert c['sensitive = "true" (tfvars heredoc)'] in state
    assert (scenario.root / "hook-env.txt").is_file()
    hook_lines = [x for _, _, r in scenario.runs for x in r.stderr.splitlines() if "] leaked:" in x]
    assert hook_lines and "<sensitive>" in hook_lines[0]
    early = [x for _, _, r in scenario.runs for x in r.stderr.splitlines() if "] early:" in x]
    assert early and early[0].count("<sensitive>") == 3, early
    assert scenario.bodies and scenario.summary and len(scenario.reports) == 4, sorted(
        scenario.reports
    )
    assert any(b'"apply_failed' in b or b"failed" in b for b in scenario.bodies)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("way", list(SENSITIVE_WAYS))
def test_the_canary_appears_nowhere(scenario: Scenario, way: str, place: str) -> None:
    canary = SENSITIVE_WAYS[way]
    leaks_ = [where for where, data in _place_texts(scenario, place).items() if _hits(data, canary)]
    assert leaks_ == [], f"{way} leaks into {place}: {leaks_}"


def test_errors_say_what_and_where_without_the_value(scenario: Scenario) -> None:
    by_args = {a: r for a, _, r in scenario.runs}
    bad_set = by_args[f"-v plan staging --set {SENSITIVE_WAYS['--set']}"]
    assert "invalid --set item #1" in bad_set.stderr and "NAME=VALUE" in bad_set.stderr
    stderr = by_args["-v plan broken"].stderr.strip().splitlines()
    heredoc = [x for x in stderr if x.startswith("envman: error:")]  # -v adds the log entry
    assert len(heredoc) == 1 and "terraform.tfvars:2:" in heredoc[0], stderr
    assert "invalid HCL" in heredoc[0]
    failed = by_args[
        f"-v apply staging --yes --set tok_set={SENSITIVE_WAYS['--set']} "
        f"--set net=not-a-cidr-{SENSITIVE_WAYS['terraform diagnostic echo']}"
    ]
    last = failed.stderr.strip().splitlines()[-1]
    assert last.startswith("envman: error: terraform apply failed") and "<sensitive>" in last
    records = sorted((scenario.root / "state" / "staging.tfstate.releases").glob("0*.json"))
    errors = [json.loads(p.read_text()).get("error") for p in records]
    assert any(e and "invalid CIDR address: <sensitive>" in e for e in errors), errors


def test_a_replaced_clock_is_said_recorded_and_announced(
    basic_project: Path, receiver: Receiver, summary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENVMAN_NOW on a run that changes an environment: a warning line, ``clock_override`` in
    the release, announced like a break-glass (docs/commands.md)."""
    hcl = basic_project / "environments" / "staging" / "environment.hcl"
    hcl.write_text(
        hcl.read_text() + '\nnotify "slack" {\n  webhook_url_env = "CANARY_SLACK"\n'
        '  events = ["break_glass"]\n}\n'
    )
    monkeypatch.setenv("ENVMAN_NOW", "2027-01-02T03:04:05Z")
    cli = Cli(basic_project)
    result = cli("apply", "staging", "--yes")
    assert result.exit_code == 0, result.output
    warnings = [x for x in result.stderr.splitlines() if "ENVMAN_NOW" in x]
    assert len(warnings) == 1 and warnings[0].startswith("envman: warning: the clock is replaced")
    [record] = (basic_project / "state" / "staging.tfstate.releases").glob("0*.json")
    override = json.loads(record.read_text())["clock_override"]
    assert override["now"] == "2027-01-02T03:04:05Z" and override["real"] < "2027"
    # subscribed to break_glass only: the replaced clock is announced like one
    assert len(receiver.bodies) == 1 and b"BREAK-GLASS" in receiver.bodies[0]
    assert b"ENVMAN_NOW" in receiver.bodies[0]
    assert "ENVMAN_NOW" in summary.read_text() and "Break-glass" in summary.read_text()
    again = cli("plan", "staging")  # a run that changes nothing says nothing about the clock
    assert again.exit_code == 0 and "ENVMAN_NOW" not in again.output
