"""Orphans (docs/operations.md "Orphans"): a component removed from envman.hcl, dropped from
an environment's `components = [...]`, or an environment folder deleted while its state and
ledger remain — found, reported by plan/status/drift/validate/list, destroyed with the stack
code of the recorded commit, or forgotten. Real terraform, local backends, a git project."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform

APP_BLOCK = re.compile(r'component "app" \{.*?\n\}\n', re.S)


def git(project: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    need_terraform()
    root = copy_fixture("components", tmp_path)
    (root / ".gitignore").write_text(".envman/\nstate/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "four components")
    return root


def state_resources(project: Path, env: str, name: str) -> list[Any]:
    path = project / "state" / env / name / "terraform.tfstate"
    data: dict[str, Any] = json.loads(path.read_text())
    return list(data.get("resources") or [])


def release(project: Path, seq: int, env: str = "dev") -> dict[str, Any]:
    path = project / "state" / env / "terraform.tfstate.releases" / f"{seq:08d}.json"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def remove_app_block(project: Path) -> None:
    hcl = project / "envman.hcl"
    hcl.write_text(APP_BLOCK.sub("", hcl.read_text()))
    git(project, "commit", "-qam", "app removed")


def test_removed_component_is_reported_then_destroyed_from_its_commit(project: Path) -> None:
    cli = Cli(project)
    assert cli("apply", "dev", "--yes").exit_code == 0
    applied_at = git(project, "rev-parse", "HEAD").strip()
    shutil.rmtree(project / "stacks" / "app")  # the code is gone with the block
    remove_app_block(project)
    line = "orphaned component 'app': 1 resource in state, not in envman.hcl"

    planned = cli("plan", "dev")
    assert planned.exit_code == 0, planned.output
    assert line in planned.stderr
    assert "envman destroy dev -c app, or envman forget dev -c app --reason" in planned.stderr
    status = json.loads(cli("status", "dev", "--json").stdout)["environments"][0]
    assert [o["component"] for o in status["orphans"]] == ["app"]
    assert status["orphans"][0]["reason"] == "removed"
    assert status["orphans"][0]["commit"] == applied_at
    assert line in cli("status", "dev").stdout
    drift = cli("drift", "dev", "--json")
    assert drift.exit_code == 2, drift.output
    finding = json.loads(drift.stdout)["environments"][0]["findings"][0]
    assert finding["component"] == "app" and finding["change"] == "orphaned"
    validated = cli("validate", "dev")
    assert validated.exit_code == 0, validated.output
    assert line in validated.stdout

    review = cli("plan", "dev", "--changed", "HEAD~1", "--format", "markdown")
    assert review.exit_code == 0, review.output
    assert "will be orphaned: orphaned component 'app'" in review.stdout
    assert line in review.stderr

    refused = cli("destroy", "dev", "-c", "app")  # no terminal, no --confirm: refused
    assert refused.exit_code == 3, refused.output
    assert len(state_resources(project, "dev", "app")) == 1
    destroyed = cli("destroy", "dev", "-c", "app", "--confirm", "dev")
    assert destroyed.exit_code == 0, destroyed.output
    assert f"commit {applied_at[:12]}" in destroyed.stdout
    assert state_resources(project, "dev", "app") == []
    record = release(project, 2)
    assert record["kind"] == "destroy" and record["status"] == "applied"
    assert record["components"]["app"]["status"] == "destroyed"
    worktrees = git(project, "worktree", "list").strip().splitlines()
    assert len(worktrees) == 1, worktrees  # the temporary worktree was removed

    again = cli("plan", "dev")
    assert "orphaned" not in again.output
    assert cli("drift", "dev").exit_code == 0
    assert json.loads(cli("status", "dev", "--json").stdout)["environments"][0]["orphans"] == []


def test_dropped_from_components_list_then_forgotten(project: Path) -> None:
    cli = Cli(project)
    assert cli("apply", "dev", "--yes").exit_code == 0
    env_file = project / "environments" / "dev" / "environment.hcl"
    env_file.write_text('components = ["network", "data", "edge"]\n' + env_file.read_text())
    line = "orphaned component 'app': 1 resource in state, not in components = [...] of 'dev'"
    applied = cli("apply", "dev", "--yes")
    assert applied.exit_code == 0, applied.output
    assert line in applied.stderr
    assert cli("drift", "dev").exit_code == 2
    assert line in cli("validate").stdout

    assert cli("forget", "dev", "-c", "nope", "--reason", "x").exit_code == 1
    forgot = cli("forget", "dev", "-c", "app", "--reason", "adopted by the platform team")
    assert forgot.exit_code == 0, forgot.output
    assert len(state_resources(project, "dev", "app")) == 1  # the state is left alone
    history = cli("history", "dev")
    assert "forget app: adopted by the platform team" in history.stdout
    assert "orphaned" not in cli("plan", "dev").output
    assert cli("drift", "dev").exit_code == 0
    assert "orphaned" not in cli("status", "dev").stdout
    assert "warning" not in cli("validate", "dev").stdout


def test_a_removed_component_that_another_still_wires_to_is_a_config_error(
    project: Path,
) -> None:
    cli = Cli(project)
    assert cli("apply", "dev", "--yes", "-c", "network").exit_code == 0
    hcl = project / "envman.hcl"
    hcl.write_text(re.sub(r'component "network" \{.*?\n\}\n', "", hcl.read_text(), flags=re.S))
    validated = cli("validate", "dev")
    assert validated.exit_code == 1
    assert "names unknown component 'network'" in validated.stdout
    planned = cli("plan", "dev")
    assert planned.exit_code == 1
    assert "unknown component 'network'" in planned.stderr


def test_deleted_environment_folder_is_listed_destroyed_and_leaves_no_state(
    project: Path,
) -> None:
    cli = Cli(project)
    assert cli("apply", "qa", "--yes").exit_code == 0
    shutil.rmtree(project / "environments" / "qa")
    git(project, "commit", "-qam", "qa removed")

    listed = cli("list", "--json")
    row = next(r for r in json.loads(listed.stdout) if r["name"] == "qa")
    assert row["orphaned"] == ["data", "network"]
    assert "ORPHANED" in cli("list").stdout
    status = json.loads(cli("status", "--json").stdout)["environments"]
    gone = next(r for r in status if r["environment"] == "qa")
    assert gone["orphaned"] and [o["component"] for o in gone["orphans"]] == ["data", "network"]
    assert "orphaned (folder gone)" in cli("status").stdout
    drift = cli("drift", "qa", "--json")
    assert drift.exit_code == 2, drift.output
    assert "orphaned component 'network'" in cli("validate").stdout

    destroyed = cli("destroy", "qa", "--confirm", "qa")
    assert destroyed.exit_code == 0, destroyed.output
    for name in ("network", "data"):
        assert state_resources(project, "qa", name) == []
    assert not any(r["name"] == "qa" for r in json.loads(cli("list", "--json").stdout))
    status = json.loads(cli("status", "--json").stdout)["environments"]
    assert "qa" not in [r["environment"] for r in status]
    kinds = [
        (release(project, n, "qa")["kind"], *release(project, n, "qa")["components"])
        for n in (2, 3)
    ]
    assert kinds == [("destroy", "data"), ("destroy", "network")]


def test_single_stack_environment_folder_deleted_is_found_and_forgotten(tmp_path: Path) -> None:
    need_terraform()
    root = copy_fixture("basic", tmp_path)
    (root / ".gitignore").write_text(".envman/\nstate/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "three environments")
    cli = Cli(root)
    assert cli("apply", "dev", "--yes").exit_code == 0
    shutil.rmtree(root / "environments" / "dev")
    status = cli("status")
    assert "orphaned environment 'dev': 3 resources in state" in status.stdout, status.output
    assert cli("drift", "dev").exit_code == 2
    forgot = cli("forget", "dev", "--reason", "moved to another repository")
    assert forgot.exit_code == 0, forgot.output
    assert "dev" not in [r["name"] for r in json.loads(cli("list", "--json").stdout)]
    data = json.loads((root / "state" / "dev.tfstate").read_text())
    assert len(data["resources"]) == 3  # left alone


def test_single_stack_environment_folder_deleted_is_destroyed_from_its_commit(
    tmp_path: Path,
) -> None:
    need_terraform()
    root = copy_fixture("basic", tmp_path)
    (root / ".gitignore").write_text(".envman/\nstate/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "three environments")
    cli = Cli(root)
    assert cli("apply", "dev", "--yes").exit_code == 0
    shutil.rmtree(root / "environments" / "dev")
    destroyed = cli("destroy", "dev", "--confirm", "dev")
    assert destroyed.exit_code == 0, destroyed.output
    data = json.loads((root / "state" / "dev.tfstate").read_text())
    assert data["resources"] == []
    assert "dev" not in [r["name"] for r in json.loads(cli("list", "--json").stdout)]


def test_changed_reports_a_component_removed_since_base(project: Path) -> None:
    cli = Cli(project)  # never applied: nothing in its state, still said by the review
    remove_app_block(project)
    review = cli("plan", "dev", "--changed", "HEAD~1", "--format", "markdown")
    assert review.exit_code == 0, review.output
    assert "component 'app' was removed since HEAD~1" in review.stdout
