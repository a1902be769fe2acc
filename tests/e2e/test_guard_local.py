"""Destroy guards and policies end to end: real terraform, terraform_data, local backend.

A refused plan is refused before anything runs: no before_apply hook, no terraform apply
(the state serial is unchanged), no release recorded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform

TOKEN = "tok-7f3a91c2e5"  # the stack's sensitive variable


@pytest.fixture
def project(tmp_path: Path) -> Path:
    need_terraform()
    root = copy_fixture("guarded", tmp_path)
    marker = root / "before_apply.log"
    dev = root / "environments" / "dev" / "environment.hcl"
    dev.write_text(
        dev.read_text()
        + f'\nhook "before_apply" {{\n  command = ["sh", "-c", "echo ran >> {marker}"]\n}}\n'
    )
    staging = root / "environments" / "staging" / "environment.hcl"
    staging.write_text(
        staging.read_text()
        + f'\npolicy "no-workers" {{\n  command = [{json.dumps(sys.executable)}, '
        '"../../policies/no_workers.py"]\n}\n'
    )
    return root


def serial(project: Path, env: str) -> int:
    return int(json.loads((project / "state" / f"{env}.tfstate").read_text())["serial"])


def hook_runs(project: Path) -> int:
    marker = project / "before_apply.log"
    return len(marker.read_text().split()) if marker.exists() else 0


def releases(cli: Cli, env: str) -> list[dict[str, object]]:
    result = cli("history", env, "--json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def test_guard_refuses_replace_before_anything_then_allows_it(project: Path) -> None:
    cli = Cli(project)
    assert cli("apply", "dev", "--yes").exit_code == 0
    before, hooks = serial(project, "dev"), hook_runs(project)
    assert hooks == 1

    refused = cli("apply", "dev", "--set", "db_version=2", "--yes")
    assert refused.exit_code == 3, refused.output
    assert "terraform_data.db would be replaced" in refused.stderr
    assert "--allow-destroy 'terraform_data.db'" in refused.stderr  # the way through
    assert serial(project, "dev") == before  # terraform applied nothing
    assert hook_runs(project) == hooks  # before_apply did not run
    assert len(releases(cli, "dev")) == 1

    allowed = cli(
        "apply", "dev", "--set", "db_version=2", "--yes", "--allow-destroy", "terraform_data.db"
    )
    assert allowed.exit_code == 0, allowed.output
    assert "--allow-destroy: terraform_data.db will be replaced" in allowed.stdout
    newest = releases(cli, "dev")[0]
    assert newest["allow_destroy"] == ["terraform_data.db"]
    assert serial(project, "dev") > before and hook_runs(project) == hooks + 1

    # rollback re-applies db_version 1: a replacement again, refused the same way
    rolled = cli("rollback", "dev", "--yes")
    assert rolled.exit_code == 3, rolled.output
    assert "terraform_data.db would be replaced" in rolled.stderr
    assert releases(cli, "dev")[0]["seq"] == newest["seq"]
    rolled = cli("rollback", "dev", "--yes", "--allow-destroy", "terraform_data.db")
    assert rolled.exit_code == 0, rolled.output
    assert releases(cli, "dev")[0]["kind"] == "rollback"
    assert releases(cli, "dev")[0]["allow_destroy"] == ["terraform_data.db"]


def test_max_destroy_counts_what_is_not_allowed(project: Path) -> None:
    cli = Cli(project)
    assert cli("apply", "dev", "--set", "workers=3", "--yes").exit_code == 0
    before = serial(project, "dev")
    refused = cli("apply", "dev", "--set", "workers=0", "--yes")
    assert refused.exit_code == 3, refused.output
    assert "more than guard max_destroy = 2" in refused.stderr
    for index in range(3):
        assert f"terraform_data.worker[{index}]" in refused.stderr
    assert serial(project, "dev") == before

    plan = cli("plan", "dev", "--set", "workers=0")  # plan says what apply would do
    assert plan.exit_code == 3, plan.output
    assert "Applying this plan would be refused" in plan.stdout

    one = cli(
        "apply", "dev", "--set", "workers=0", "--yes", "--allow-destroy", "terraform_data.worker[2]"
    )
    assert one.exit_code == 0, one.output  # 2 counted, within max_destroy
    assert releases(cli, "dev")[0]["allow_destroy"] == ["terraform_data.worker[2]"]


def test_policy_refuses_with_redacted_output_and_report(project: Path) -> None:
    cli = Cli(project)
    report = project / "review.md"
    refused = cli("apply", "staging", "--set", "workers=1", "--yes")
    assert refused.exit_code == 3, refused.output
    assert "policy 'no-workers' refused (exit 1)" in refused.stderr
    assert "terraform_data.worker[0]: workers are not allowed here" in refused.stdout
    assert "(token <sensitive>)" in refused.stdout
    assert TOKEN not in refused.output
    assert not (project / "state" / "staging.tfstate").exists()  # nothing applied

    plan = cli(
        "plan", "staging", "--set", "workers=1", "--format", "markdown", "--report", str(report)
    )
    assert plan.exit_code == 3, plan.output
    text = report.read_text()
    assert plan.stdout == text  # the same report on stdout and in the file
    assert "| `no-workers` | ⛔ refused (exit 1) |" in text
    assert "terraform_data.worker[0]: workers are not allowed here (token <sensitive>)" in text
    assert TOKEN not in text

    as_json = cli("plan", "staging", "--set", "workers=1", "--json")
    assert as_json.exit_code == 3
    review = json.loads(as_json.stdout)["review"]
    assert review == {"refused": True, "reasons": ["policy 'no-workers' refused (exit 1)"]}

    assert cli("apply", "staging", "--yes").exit_code == 0  # no workers: the policy passes


def test_broken_policy_refuses_never_passes(project: Path) -> None:
    cli = Cli(project)
    hcl = project / "environments" / "staging" / "environment.hcl"
    hcl.write_text(hcl.read_text() + 'policy "gone" {\n  command = ["/nonexistent/policy"]\n}\n')
    result = cli("apply", "staging", "--yes")
    assert result.exit_code == 3, result.output
    assert "policy 'gone' error: /nonexistent/policy: command not found" in result.stderr
    assert not (project / "state" / "staging.tfstate").exists()


def test_plan_diff_shows_attribute_changes_redacted(project: Path) -> None:
    cli = Cli(project)
    assert cli("apply", "dev", "--yes").exit_code == 0
    result = cli("plan", "dev", "--set", "app_tag=v2", "--set", "token=tok-second-value", "--diff")
    assert result.exit_code == 0, result.output
    assert '    input.tag: "v1" → "v2"' in result.stdout
    assert "    input.token: <sensitive> → <sensitive>" in result.stdout
    # terraform does not mark the copy in `output` sensitive: envman redacts it by value
    assert (
        '    output: {"tag": "v1", "token": "<sensitive>"} → (known after apply)' in result.stdout
    )
    assert TOKEN not in result.output and "tok-second-value" not in result.output


def test_unknown_format_is_a_usage_error(project: Path) -> None:
    result = Cli(project)("plan", "dev", "--format", "html")
    assert result.exit_code == 1 and "unknown --format 'html'" in result.stderr
    both = Cli(project)("plan", "dev", "--format", "markdown", "--json")
    assert both.exit_code == 1 and "both print a document on stdout" in both.stderr


def test_saved_plan_is_judged_from_its_file(project: Path) -> None:
    cli = Cli(project)
    assert cli("apply", "dev", "--yes").exit_code == 0
    before = serial(project, "dev")
    assert cli("plan", "dev", "--set", "db_version=2").exit_code == 3  # saved all the same
    result = cli("apply", "dev", "--plan", "--yes")
    assert result.exit_code == 3, result.output
    assert "terraform_data.db would be replaced" in result.stderr
    assert serial(project, "dev") == before and hook_runs(project) == 1


def test_promote_honours_the_guard(tmp_path: Path) -> None:
    need_terraform()
    project = copy_fixture("basic", tmp_path)
    hcl = project / "environments" / "production" / "environment.hcl"
    hcl.write_text(hcl.read_text() + 'guard {\n  prevent_destroy = ["terraform_data.slow"]\n}\n')
    cli = Cli(project)
    assert cli("apply", "staging", "--set", "image_tag=v2", "--yes").exit_code == 0
    assert cli("promote", "--confirm", "production").exit_code == 0  # creates: nothing destroyed
    assert cli("apply", "staging", "--set", "image_tag=v3", "--yes").exit_code == 0
    before = serial(project, "production")
    refused = cli("promote", "--confirm", "production")  # a new image_tag replaces slow
    assert refused.exit_code == 3, refused.output
    assert "terraform_data.slow would be replaced" in refused.stderr
    assert serial(project, "production") == before
    allowed = cli("promote", "--confirm", "production", "--allow-destroy", "terraform_data.slow")
    assert allowed.exit_code == 0, allowed.output
    newest = releases(cli, "production")[0]
    assert newest["kind"] == "promote" and newest["allow_destroy"] == ["terraform_data.slow"]


def test_destroy_honours_prevent_destroy_but_not_max_destroy(project: Path) -> None:
    """docs/review.md: destroy ignores max_destroy, never prevent_destroy without
    --allow-destroy; a refused destroy changes nothing."""
    cli = Cli(project)
    assert cli("apply", "dev", "--set", "workers=3", "--pin", "workers", "--yes").exit_code == 0
    before = serial(project, "dev")
    refused = cli("destroy", "dev", "--confirm", "dev")
    assert refused.exit_code == 3, refused.output
    assert "terraform_data.db" in refused.output and "--allow-destroy" in refused.output
    assert serial(project, "dev") == before
    assert [r["kind"] for r in releases(cli, "dev")] == ["apply"]
    allowed = cli("destroy", "dev", "--confirm", "dev", "--allow-destroy", "terraform_data.db")
    assert allowed.exit_code == 0, allowed.output  # 5 destroyed: more than max_destroy = 2
    newest = releases(cli, "dev")[0]
    assert (newest["kind"], newest["status"]) == ("destroy", "applied")
    assert newest["allow_destroy"] == ["terraform_data.db"]
