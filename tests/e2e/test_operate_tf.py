"""envman tf: terraform with the environment's setup (real terraform, local backend)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform


@pytest.fixture
def project(tmp_path: Path) -> Path:
    need_terraform()
    return copy_fixture("operate", tmp_path)


@pytest.fixture
def op(project: Path) -> Cli:
    return Cli(project)


def envman(project: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """envman in its own process: terraform gets real file descriptors, as on a terminal."""
    return subprocess.run(
        [sys.executable, "-m", "envman", "--project", str(project), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def ledger_dir(project: Path, env: str) -> Path:
    return project / "state" / f"{env}.tfstate.releases"


def audit_files(project: Path, env: str) -> list[Path]:
    return sorted((ledger_dir(project, env) / "audit").glob("*.json"))


def state_resources(project: Path, env: str) -> list[str]:
    state = json.loads((project / "state" / f"{env}.tfstate").read_text())
    return sorted(f"{r['type']}.{r['name']}" for r in state["resources"])


def test_read_commands_pass_through_with_the_environments_inputs(op: Cli, project: Path) -> None:
    assert op("apply", "dev", "--set", "image_tag=v3", "--yes").exit_code == 0
    listed = op("tf", "dev", "--", "state", "list")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.split() == ["terraform_data.app", "terraform_data.gate"]
    raw = op("tf", "dev", "--", "output", "-raw", "image_tag")
    assert (raw.exit_code, raw.stdout) == (0, "v3")  # nothing of envman's on stdout
    # plan gets the pinned inputs: nothing to change (with the stack's default v1 it would)
    assert op("tf", "dev", "--", "plan", "-detailed-exitcode").exit_code == 0
    changed = op("tf", "dev", "--", "plan", "-detailed-exitcode", "-var", "image_tag=v4")
    assert changed.exit_code == 2  # terraform's own exit code
    missing = op("tf", "dev", "--", "state", "show", "terraform_data.nope")
    assert missing.exit_code == 1
    assert audit_files(project, "dev") == []  # reading leaves no audit entry
    assert not list((project / ".envman" / "dev" / "tf-runs").glob("*"))  # var files removed


def test_console_and_output_on_real_file_descriptors(op: Cli, project: Path) -> None:
    assert op("apply", "dev", "--set", "image_tag=v5", "--yes").exit_code == 0
    # terraform's console prints the value of the last line it reads from a pipe
    console = envman(project, "tf", "dev", "--", "console", stdin="upper(var.image_tag)\n")
    assert console.returncode == 0, console.stderr
    assert console.stdout.strip() == '"V5"'  # the pinned input, evaluated by terraform
    raw = envman(project, "tf", "dev", "--", "output", "-raw", "image_tag")
    assert (raw.returncode, raw.stdout) == (0, "v5")
    failing = envman(project, "tf", "dev", "--", "console", stdin="var.nope\n")
    assert failing.returncode == 1 and "undeclared input variable" in failing.stderr


def test_state_change_on_protected_env_needs_confirm_and_is_audited(op: Cli, project: Path) -> None:
    assert op("apply", "production", "--confirm", "production").exit_code == 0
    refused = op("tf", "production", "--", "state", "rm", "terraform_data.gate")
    assert refused.exit_code == 3, refused.output
    assert "--confirm production" in refused.stderr
    wrong = op("tf", "production", "--confirm", "dev", "--", "state", "rm", "terraform_data.gate")
    assert wrong.exit_code == 3
    assert state_resources(project, "production") == ["terraform_data.app", "terraform_data.gate"]
    assert audit_files(project, "production") == []

    removed = op(
        "tf", "production", "--confirm", "production", "--", "state", "rm", "terraform_data.gate"
    )
    assert removed.exit_code == 0, removed.output
    assert "Removed terraform_data.gate" in removed.stdout
    assert state_resources(project, "production") == ["terraform_data.app"]
    [entry_file] = audit_files(project, "production")
    entry = json.loads(entry_file.read_text())
    assert entry["command"] == ["state", "rm", "terraform_data.gate"]
    assert (entry["status"], entry["exit_code"], entry["actor"]) == ("succeeded", 0, "tester")
    assert entry["state"]["serial_after"] == entry["state"]["serial_before"] + 1
    assert entry["started_at"] and entry["finished_at"]

    # an apply through tf: values never recorded, never a release
    secret = "tag-canary-5150"
    applied = op(
        "tf", "production", "--confirm", "production", "--",
        "apply", "-auto-approve", "-var", f"image_tag={secret}",
    )  # fmt: skip
    assert applied.exit_code == 0, applied.output
    for path in ledger_dir(project, "production").rglob("*.json"):
        assert secret not in path.read_text(), path
    history = json.loads(op("history", "production", "--json").stdout)
    assert [(h["kind"], h["seq"]) for h in history] == [("tf", None), ("tf", None), ("apply", 1)]
    assert history[0]["command"] == ["apply", "-auto-approve", "-var", "image_tag=***"]
    status = json.loads(op("status", "production", "--json").stdout)
    assert status["environments"][0]["current"]["seq"] == 1
    text = op("history", "production")
    assert text.exit_code == 0 and "audit" in text.stdout and secret not in text.output
    assert op("rollback", "production", "--to", "2", "--yes").exit_code == 1  # no such release


def test_a_mutating_tf_command_holds_the_operation_lock(op: Cli, project: Path) -> None:
    assert op("apply", "dev", "--yes").exit_code == 0
    gate = project / "gate-open"
    holder = subprocess.Popen(
        [sys.executable, "-m", "envman", "--project", str(project), "tf", "dev", "--",
         "apply", "-auto-approve", f"-var=gate={gate}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lock = ledger_dir(project, "dev") / "lock.json"
    try:
        for _ in range(600):  # bounded by attempts: the lock appears once tf started
            if lock.exists() or holder.poll() is not None:
                break
            time.sleep(0.1)
        assert lock.exists(), holder.communicate()
        info = json.loads(lock.read_text())
        assert (info["operation"], info["pid"]) == ("tf apply", holder.pid)
        blocked = op("apply", "dev", "--yes")
        assert blocked.exit_code == 1
        assert "is locked by tf apply of tester" in blocked.stderr
        assert f"pid {holder.pid}" in blocked.stderr
        other = op("tf", "dev", "--", "taint", "terraform_data.app")
        assert other.exit_code == 1 and "is locked by tf apply" in other.stderr
    finally:
        gate.touch()
        _out, err = holder.communicate(timeout=300)
    assert holder.returncode == 0, err
    assert not lock.exists()
    entries = [json.loads(p.read_text()) for p in audit_files(project, "dev")]
    assert [(e["command"][0], e["status"]) for e in entries] == [("apply", "succeeded")]
    assert entries[0]["command"][2] == "-var=gate=***"


def test_refused_and_unknown_usage(op: Cli) -> None:
    targeted = op("tf", "dev", "--", "destroy", "-auto-approve", "-target=terraform_data.app")
    assert targeted.exit_code == 1 and "targeted destroy" in targeted.stderr
    destroy = op("tf", "dev", "--", "destroy", "-auto-approve")  # the destroy flow: nothing yet
    assert destroy.exit_code == 0 and "envman destroy dev" in destroy.stderr
    assert "Nothing to destroy" in destroy.stdout
    empty = op("tf", "dev")
    assert empty.exit_code == 1 and "no terraform command" in empty.stderr
    components = op("tf", "dev", "-c", "app", "--", "state", "list")
    assert components.exit_code == 1 and "components are not configured" in components.stderr
    assert os.environ.get("TF_DATA_DIR") is None


def test_apply_through_tf_keeps_deploy_windows(
    op: Cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project / "environments" / "dev" / "environment.hcl"
    config.write_text(config.read_text() + 'protection {\n  deny_weekdays = ["Friday"]\n}\n')
    monkeypatch.setenv("ENVMAN_NOW", "2026-03-06T10:00:00Z")  # a Friday
    refused = op("tf", "dev", "--", "apply", "-auto-approve")
    assert refused.exit_code == 3, refused.output
    assert "not allowed on Friday" in refused.stderr
    assert "envman apply dev --break-glass" in refused.stderr
    assert not (project / "state" / "dev.tfstate").exists()
    assert op("tf", "dev", "--", "validate").exit_code == 0  # reading is never refused


def test_a_run_that_cannot_start_is_audited_as_failed(op: Cli, project: Path) -> None:
    (project / "environments" / "dev" / "broken.auto.tfvars").mkdir()
    result = op("tf", "dev", "--", "import", "terraform_data.app", "some-id")
    assert result.exit_code == 1
    assert "broken.auto.tfvars: not a regular file" in result.stderr
    [entry] = [json.loads(p.read_text()) for p in audit_files(project, "dev")]
    assert entry["status"] == "failed" and entry["exit_code"] is None
    assert "not a regular file" in entry["error"]
    assert not (ledger_dir(project, "dev") / "lock.json").exists()


def test_an_entry_left_running_by_a_dead_run_is_reconciled(op: Cli, project: Path) -> None:
    from envman.operate.audit import begin_audit
    from envman.releases.store_local import LocalStore
    from envman.terraform.state import StateInfo

    assert op("apply", "dev", "--yes").exit_code == 0
    orphan = begin_audit(
        LocalStore(ledger_dir(project, "dev")), "dev", ["taint", "x.y"], StateInfo(1, "L")
    )
    untainted = op("tf", "dev", "--", "taint", "terraform_data.app")
    assert untainted.exit_code == 0, untainted.output
    assert f"audit entry {orphan.id} was left running" in untainted.stderr
    entries = {e["id"]: e for e in (json.loads(p.read_text()) for p in audit_files(project, "dev"))}
    assert entries[orphan.id]["status"] == "interrupted"
    assert "outcome unknown" in entries[orphan.id]["error"]
    assert [e["status"] for i, e in entries.items() if i != orphan.id] == ["succeeded"]
