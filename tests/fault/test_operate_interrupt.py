"""Ctrl-C / SIGTERM during a state-changing `envman tf` command: terraform is interrupted
once, envman exits 130, the audit entry says interrupted, and no lock is left behind."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform

MARKER = "terraform_data.gate (local-exec): Executing"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_tf_apply_is_audited_and_unlocked(tmp_path: Path, signum: int) -> None:
    need_terraform()
    project = copy_fixture("operate", tmp_path)
    op = Cli(project)
    assert op("apply", "dev", "--yes").exit_code == 0
    gate = tmp_path / "gate"
    child = subprocess.Popen(
        [sys.executable, "-m", "envman", "--project", str(project), "tf", "dev", "--",
         "apply", "-auto-approve", "-no-color", f"-var=gate={gate}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen = []
    try:
        assert child.stdout is not None
        for line in child.stdout:  # bounded by terraform's output: the marker or EOF
            seen.append(line)
            if MARKER in line:
                break
        assert any(MARKER in line for line in seen), "".join(seen)
        child.send_signal(signum)
    finally:
        gate.touch()  # whatever terraform does with its provisioner, it ends now
        _out, err = child.communicate(timeout=300)
    assert child.returncode == 130, err
    ledger = project / "state" / "dev.tfstate.releases"
    assert not (ledger / "lock.json").exists()
    [entry] = [json.loads(p.read_text()) for p in (ledger / "audit").glob("*.json")]
    assert entry["status"] == "interrupted" and entry["finished_at"]
    assert not list((project / "state").glob("*.lock.info"))
    after = op("tf", "dev", "--", "state", "list")
    assert after.exit_code == 0, after.output
