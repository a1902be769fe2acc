"""Second adversarial round: what envman leaves on disk (real terraform, local backend).

Reports and event logs of any outcome pass the redactor and are owner-only; files that hold
values by necessity (var files, review input, spent plans) go when their run ends, however it
ends, and the next run removes those of runs that died; envman's own folders are never reached
through a symlink.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform

WEBHOOK = "https://hooks.slack.test/services/T000/B000/hook-secret-4c1d"
TOKEN = "tok-7f3a91c2e5"  # the guarded stack's sensitive default
ECHOED = "not-a-cidr-planleak-5e1b"  # a sensitive tfvars value terraform's diagnostic echoes


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def guarded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """staging: a policy that prints the webhook variable and the token, and refuses."""
    need_terraform()
    root = copy_fixture("guarded", tmp_path)
    monkeypatch.setenv("SLACK_URL", WEBHOOK)
    leaky = 'echo "hook=[$SLACK_URL]"; cat > /dev/null; exit 1'
    staging = root / "environments" / "staging" / "environment.hcl"
    staging.write_text(
        staging.read_text()
        + f'\npolicy "leaky" {{\n  command = {json.dumps(["sh", "-c", leaky])}\n}}\n'
        + '\nnotify "slack" {\n  webhook_url_env = "SLACK_URL"\n}\n'
    )
    return root


def test_plan_report_is_redacted_and_owner_only(guarded: Path, tmp_path: Path) -> None:
    report = tmp_path / "out" / "review.md"
    cli = Cli(guarded)
    done = cli("plan", "staging", "--set", "app_tag=v2", "--diff", "--report", str(report))
    assert done.exit_code == 3, done.output  # the policy refuses
    text = report.read_text()
    assert "leaky" in text and "hook=" in text
    assert WEBHOOK not in text and "hook-secret-4c1d" not in text
    assert TOKEN not in text
    assert mode(report) == 0o600


def test_policies_get_the_hooks_scrubbed_environment(guarded: Path) -> None:
    done = Cli(guarded)("plan", "staging", "--set", "app_tag=v2")
    assert done.exit_code == 3, done.output
    assert "hook=[]" in done.output  # the webhook variable is not in the policy's environment


def test_a_failed_plan_leaves_no_secret_in_its_event_log(tmp_path: Path) -> None:
    need_terraform()
    root = copy_fixture("operate", tmp_path)
    stack = root / "stack" / "main.tf"
    stack.write_text(
        stack.read_text()
        + '\nvariable "net" {\n  type      = string\n  sensitive = true\n'
        + '  default   = "10.0.0.0/16"\n}\n\n'
        + 'resource "terraform_data" "ip" {\n  input = cidrhost(var.net, 1)\n}\n'
    )
    (root / "environments" / "dev" / "terraform.tfvars").write_text(f'net = "{ECHOED}"\n')
    failed = Cli(root)("plan", "dev")
    assert failed.exit_code == 1 and "invalid CIDR address" in failed.output
    runs = root / ".envman" / "envs" / "dev" / "runs"
    logs = list(runs.glob("*/plan.events.jsonl"))
    assert logs and b"invalid CIDR address" in logs[0].read_bytes()  # the diagnostic is kept
    assert ECHOED.encode() not in all_bytes(runs)
    assert {mode(p) for p in runs.glob("*/*")} == {0o600}
    assert not list(runs.glob("*/inputs"))  # the run's var files went with it


def test_terraform_writes_owner_only_files(tmp_path: Path) -> None:
    need_terraform()
    root = copy_fixture("operate", tmp_path)
    assert Cli(root)("apply", "dev", "--yes").exit_code == 0
    assert mode(root / "state" / "dev.tfstate") == 0o600  # written by terraform (umask 077)
    assert Cli(root)("plan", "dev", "--set", "image_tag=v2").exit_code == 0
    plans = list((root / ".envman" / "envs" / "dev" / "runs").glob("*/plan.tfplan"))
    assert len(plans) == 1 and mode(plans[0]) == 0o600


def _wait_for(path: Path, tries: int = 1200) -> None:
    """Poll for a file a child process writes (every 0.1 s, up to ``tries`` times)."""
    for _ in range(tries):
        if path.exists():
            return
        time.sleep(0.1)
    raise AssertionError(f"{path} never appeared")


def test_the_next_run_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    """kill -9 while a policy runs: the review input (every value) and the run's var files
    stay behind; the next run of the environment removes them."""
    need_terraform()
    root = copy_fixture("guarded", tmp_path)
    started, policy_pid = root / "policy-started", root / "policy.pid"
    script = f"echo $$ > {policy_pid}; touch {started}; sleep 120"
    dev = root / "environments" / "dev" / "environment.hcl"
    dev.write_text(
        dev.read_text() + f'\npolicy "slow" {{\n  command = ["sh", "-c", "{script}"]\n}}\n'
    )
    argv = [sys.executable, "-m", "envman", "--project", str(root), "plan", "dev"]
    envman = subprocess.Popen([*argv, "--set", "token=set-secret-93ab1"], stdout=subprocess.DEVNULL)
    try:
        _wait_for(started)
    finally:
        envman.kill()
        envman.wait()
        os.kill(int(policy_pid.read_text()), signal.SIGKILL)
    runs = root / ".envman" / "envs" / "dev" / "runs"
    assert list(runs.glob("*/.plan-review-*.json"))  # what the kill left
    dev.write_text(dev.read_text().replace(script, "cat > /dev/null"))
    after = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert after.returncode == 0, after.stderr
    assert not list(runs.glob("*/.plan-review-*.json"))
    assert not list(runs.glob("*/inputs"))
    assert b"set-secret-93ab1" not in all_bytes(runs)
    assert len(list(runs.glob("*/plan.tfplan"))) == 1  # the new plan, kept for apply --plan


def test_a_symlink_where_envman_keeps_its_folder_is_refused(tmp_path: Path) -> None:
    need_terraform()
    root = copy_fixture("operate", tmp_path)
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    env_root = root / ".envman" / "envs" / "dev"
    env_root.mkdir(parents=True)
    (env_root / "runs").symlink_to(shared)
    done = Cli(root)("plan", "dev")
    assert done.exit_code == 1
    assert f"{env_root / 'runs'} is a symlink" in done.output
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777  # its target untouched
    assert not list(shared.iterdir())
    (env_root / "runs").unlink()
    env_root.rmdir()
    env_root.symlink_to(shared)
    done = Cli(root)("plan", "dev")
    assert done.exit_code == 1 and f"{env_root} is a symlink" in done.output
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    top = root / ".envman"
    shutil.rmtree(top)
    top.symlink_to(shared)
    done = Cli(root)("plan", "dev")
    assert done.exit_code == 1 and f"{top} is a symlink" in done.output
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert not list(shared.iterdir())  # no cache, no error log written through it


def test_a_wired_secret_in_a_component_diff_stays_out_of_the_report(tmp_path: Path) -> None:
    need_terraform()
    root = copy_fixture("components", tmp_path)
    data = root / "stacks" / "data" / "main.tf"  # network.token wired into a plain variable
    data.write_text(
        data.read_text() + '\nresource "terraform_data" "leak" {\n  input = var.net_token\n}\n'
    )
    cli = Cli(root)
    assert cli("apply", "dev", "--yes", "-c", "network").exit_code == 0
    report = tmp_path / "review.md"
    done = cli("plan", "dev", "--diff", "--report", str(report))
    assert done.exit_code == 0, done.output
    text = report.read_text()
    assert "terraform_data.leak" in text and "<sensitive>" in text
    assert "net-secret-token-9d1f" not in text and "net-secret-token-9d1f" not in done.output
    assert mode(report) == 0o600
