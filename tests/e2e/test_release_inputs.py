"""What a release records about its inputs, pins, exact rollback and the promotion gate
(docs/configuration.md, docs/releases.md; "Inputs, pins and rollback"), on terraform_data stacks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.helpers import Cli


def outputs(cli: Cli, env: str) -> dict[str, object]:
    result = cli("outputs", env, "--json")
    assert result.exit_code == 0, result.output
    return {k: v["value"] for k, v in json.loads(result.stdout).items()}


def history(cli: Cli, env: str) -> list[dict[str, Any]]:
    result = cli("history", env, "--json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def set_tfvars(project: Path, env: str, text: str) -> None:
    (project / "environments" / env / "terraform.tfvars").write_text(text)


def edit_config(project: Path, env: str, old: str, new: str) -> None:
    path = project / "environments" / env / "environment.hcl"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def git_commit(project: Path) -> str:
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@t", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "version bump")
    return git("rev-parse", "HEAD")


def test_rollback_restores_a_tfvars_version_exactly(cli: Cli, basic_project: Path) -> None:
    set_tfvars(basic_project, "staging", 'replicas = 2\nimage_tag = "1.1.0"\n')
    commit = git_commit(basic_project)
    assert cli("apply", "staging", "--yes").exit_code == 0
    first = history(cli, "staging")[0]
    assert first["values"]["image_tag"] == {
        "value": "1.1.0",
        "source": "tfvars",
        "file": "environments/staging/terraform.tfvars",
    }
    assert first["values"]["frontend_release"] == {"value": "f1", "source": "default"}
    assert first["values"]["api_token"] == {"sensitive": True, "source": "default"}
    assert first["inputs"] == {}  # read from the code: it follows the code
    assert first["git"]["commit"] == commit

    set_tfvars(basic_project, "staging", 'replicas = 2\nimage_tag = "1.3.0"\n')
    assert cli("apply", "staging", "--yes").exit_code == 0
    assert outputs(cli, "staging")["image_tag"] == "1.3.0"

    rolled = cli("rollback", "staging", "--to", "1", "--yes")
    assert rolled.exit_code == 0, rolled.output
    assert "(none)" not in rolled.stdout and "None" not in rolled.stdout
    row = next(line for line in rolled.stdout.splitlines() if line.strip().startswith("image_tag"))
    assert "1.3.0" in row and "1.1.0" in row
    assert "api_token is sensitive" in rolled.stdout and "current source" in rolled.stdout
    assert outputs(cli, "staging")["image_tag"] == "1.1.0"
    record = history(cli, "staging")[0]
    assert record["kind"] == "rollback" and record["target_seq"] == 1
    assert record["values"]["image_tag"] == {"value": "1.1.0", "source": "rollback", "from": "#1"}
    assert record["inputs"] == {"image_tag": "1.1.0"}  # else the next plan undoes the rollback

    pending = json.loads(cli("status", "--json").stdout)["pending_promotions"]
    assert [(p["variable"], p["source_value"]) for p in pending] == [
        ("frontend_release", "f1"),
        ("image_tag", "1.1.0"),  # a tfvars version waits for promotion like a --set one
    ]

    plan = cli("plan", "staging", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert (
        "Pin differs from the code: image_tag: pinned to 1.1.0 by release #3, but "
        "environments/staging/terraform.tfvars says 1.3.0; keeping the pin (run with "
        "--unpin image_tag to take 1.3.0)"
    ) in " ".join(plan.stdout.split())

    unpinned = cli("apply", "staging", "--unpin", "image_tag", "--yes")
    assert unpinned.exit_code == 0, unpinned.output
    assert outputs(cli, "staging")["image_tag"] == "1.3.0"
    record = history(cli, "staging")[0]
    assert record["unpinned"] == ["image_tag"] and record["inputs"] == {}
    assert record["values"]["image_tag"]["source"] == "tfvars"
    ledger = basic_project / "state" / "staging.tfstate.releases"
    assert "canary-token-1f3c9a" not in "".join(
        p.read_text() for p in ledger.rglob("*") if p.is_file()
    )


def test_one_off_set_pin_and_pin_against_code(cli: Cli, basic_project: Path) -> None:
    one_off = cli("apply", "staging", "--set", "replicas=5", "--yes")
    assert one_off.exit_code == 0, one_off.output
    assert "One-off for this run" in one_off.stdout and "replicas" in one_off.stdout
    record = history(cli, "staging")[0]
    assert record["values"]["replicas"] == {"value": 5, "source": "set"}
    assert "replicas" not in record["inputs"]
    assert cli("plan", "staging", "--detailed-exitcode").exit_code == 2  # back to tfvars' 2

    pinned = cli("apply", "staging", "--set", "replicas=5", "--pin", "replicas", "--yes")
    assert pinned.exit_code == 0, pinned.output
    assert history(cli, "staging")[0]["inputs"] == {"replicas": 5}
    plan = cli("plan", "staging", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "Pinned from release #2: replicas=5" in plan.stdout
    assert "replicas: pinned to 5 by release #2, but" in " ".join(plan.stdout.split())

    # a --set of a release-carried variable (production promotes image_tag) is pinned
    assert cli("apply", "staging", "--set", "image_tag=1.2.0", "--yes").exit_code == 0
    assert history(cli, "staging")[0]["inputs"] == {"image_tag": "1.2.0", "replicas": 5}
    set_tfvars(basic_project, "staging", 'replicas = 2\nimage_tag = "1.3.0"\n')
    plan = cli("plan", "staging", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "--unpin image_tag to take 1.3.0" in " ".join(plan.stdout.split())

    wrong = cli("plan", "staging", "--unpin", "frontend_release")
    assert wrong.exit_code == 1
    assert "frontend_release is not pinned (release #3 pins: image_tag, replicas)" in wrong.stderr
    secret = cli("plan", "staging", "--set", "api_token=x", "--pin", "api_token")
    assert secret.exit_code == 1 and "cannot pin sensitive variable api_token" in secret.stderr

    # a --set of a pinned variable replaces the pin; a saved plan records what it planned
    assert cli("plan", "staging", "--set", "replicas=6").exit_code == 0
    saved = cli("apply", "staging", "--plan", "--yes")
    assert saved.exit_code == 0, saved.output
    record = history(cli, "staging")[0]
    assert record["values"]["replicas"] == {"value": 6, "source": "set"}
    assert record["inputs"] == {"image_tag": "1.2.0", "replicas": 6}

    status = cli("status")
    assert status.exit_code == 0, status.output
    assert "None" not in status.stdout
    assert "image_tag (unset) → 1.2.0" in status.stdout  # production was never deployed


def test_promotion_only_refuses_other_ways_in(cli: Cli, basic_project: Path) -> None:
    edit_config(
        basic_project,
        "production",
        "  confirm = true\n",
        "  confirm = true\n  promotion_only = true\n",
    )
    assert cli("apply", "staging", "--set", "image_tag=v2", "--yes").exit_code == 0
    assert cli("apply", "dev", "--set", "image_tag=dev-1", "--yes").exit_code == 0
    promoted = cli("promote", "--confirm", "production")
    assert promoted.exit_code == 0, promoted.output
    assert "Promoted from staging#1: frontend_release=f1, image_tag=v2" in promoted.stdout
    assert "Set on the command line" not in promoted.stdout
    assert history(cli, "production")[0]["values"]["image_tag"] == {
        "value": "v2",
        "source": "promotion",
        "from": "staging#1",
    }

    refused = cli("apply", "production", "--set", "image_tag=hotfix", "--confirm", "production")
    assert refused.exit_code == 3, refused.output
    assert "refused by protection.promotion_only" in refused.stderr
    unpin = cli("apply", "production", "--unpin", "image_tag", "--confirm", "production")
    assert unpin.exit_code == 3, unpin.output
    other = cli("promote", "production", "--from", "dev", "--confirm", "production")
    assert other.exit_code == 3 and "promoting from 'dev'" in other.stderr
    assert len(history(cli, "production")) == 1
    assert cli("plan", "production", "--set", "image_tag=hotfix").exit_code == 0
    saved = cli("apply", "production", "--plan", "--confirm", "production")
    assert saved.exit_code == 3 and "promotion_only" in saved.stderr
    assert cli("apply", "production", "--confirm", "production").exit_code == 0  # no change

    glass = cli(
        "apply", "production", "--set", "image_tag=hotfix", "--confirm", "production",
        "--break-glass", "INC-7 hotfix",
    )  # fmt: skip
    assert glass.exit_code == 0, glass.output
    assert "break-glass on 'production'" in glass.stderr
    record = history(cli, "production")[0]
    assert record["break_glass"] == {
        "reason": "INC-7 hotfix",
        "rules": ["promotion_only:image_tag"],
    }
    assert record["inputs"]["image_tag"] == "hotfix"
    assert outputs(cli, "production")["image_tag"] == "hotfix"


def test_without_promotion_only_bypasses_warn_and_are_recorded(cli: Cli) -> None:
    assert cli("apply", "dev", "--set", "image_tag=dev-1", "--yes").exit_code == 0
    from_dev = cli("promote", "production", "--from", "dev", "--confirm", "production")
    assert from_dev.exit_code == 0, from_dev.output
    assert "promoting from 'dev' bypasses it" in from_dev.stderr
    assert "image_tag" in from_dev.stdout and "dev-1" in from_dev.stdout
    assert history(cli, "production")[0]["promotion_bypass"] == ["promoted from 'dev'"]

    hot = cli("apply", "production", "--set", "image_tag=hot", "--confirm", "production")
    assert hot.exit_code == 0, hot.output
    assert "warning: image_tag of 'production' is promoted from 'staging'" in hot.stderr
    record = history(cli, "production")[0]
    assert record["promotion_bypass"] == ["--set/--unpin of promoted image_tag"]
    assert record["break_glass"] is None


def test_validate_finds_promotions_that_can_never_work(cli: Cli, basic_project: Path) -> None:
    edit_config(
        basic_project,
        "production",
        '    image_tag        = "image_tag"\n',
        '    image_tag        = "no_such_output"\n    no_such_var      = "replicas"\n',
    )
    edit_config(
        basic_project, "production", "promotion {\n", "promotion {\n  require_verified = true\n"
    )
    edit_config(
        basic_project,
        "staging",
        'description = "Pre-production"\n',
        'description = "x"\nrelease_variables = ["nope"]\n',
    )
    result = cli("validate")
    assert result.exit_code == 1
    text = " ".join(result.stdout.split())
    config = basic_project / "environments" / "production" / "environment.hcl"
    assert f"{config}:9: promotion.require_verified needs verification of 'staging'" in text
    assert "environments/staging/environment.hcl has no verify block" in text
    assert (
        f"{config}:12: promotion variable 'image_tag' maps to output 'no_such_output', which "
        "the stack of 'staging'"
    ) in text
    assert f"{config}:13: promotion variable 'no_such_var' is not declared by the stack" in text
    assert "release variable 'nope' is not declared" in text


def test_records_written_before_values_still_load(cli: Cli, basic_project: Path) -> None:
    ledger = basic_project / "state" / "staging.tfstate.releases"
    ledger.mkdir(parents=True)
    old = {
        "schema": 1,
        "environment": "staging",
        "seq": 1,
        "kind": "apply",
        "status": "applied",
        "inputs": {"image_tag": "v9", "replicas": 7},  # the old code pinned every --set
        "source": None,
        "rollback_of": None,
        "target_seq": None,
        "outputs": {"image_tag": "v9"},
        "state": {"serial_before": None, "lineage_before": None},
        "plan": {"add": 3, "change": 0, "destroy": 0, "replace": 0},
        "actor": "old-envman",
        "git": {"commit": None, "dirty": None},
        "envman_version": "0.1.0",
        "started_at": "2026-11-20T10:00:00Z",
        "finished_at": "2026-11-20T10:01:00Z",
        "break_glass": None,
        "verification": None,
        "error": None,
    }
    (ledger / "00000001.json").write_text(json.dumps(old))
    shown = cli("history", "staging")
    assert shown.exit_code == 0, shown.output
    assert "image_tag=v9," in shown.stdout and "replicas=7" in shown.stdout  # as it was
    assert "old-envman" in shown.stdout
    assert history(cli, "staging")[0]["inputs"] == old["inputs"]
    plan = cli("plan", "staging")
    assert plan.exit_code == 0, plan.output
    assert "Pinned from release #1: image_tag=v9" in plan.stdout  # a carried variable
    assert "replicas=7" not in plan.stdout  # a one-off --set of the old days
    assert cli("apply", "staging", "--yes").exit_code == 0
    rolled = cli("rollback", "staging", "--to", "1", "--yes")
    assert rolled.exit_code == 0, rolled.output
    assert "was recorded before envman kept every value" in rolled.stdout


def test_promote_judges_the_release_the_source_runs(cli: Cli, basic_project: Path) -> None:
    from tests.servers import Health

    health = Health()
    try:
        path = basic_project / "environments" / "staging" / "environment.hcl"
        path.write_text(
            path.read_text()
            + f'\nverify {{\n  http "ok" {{\n    url = "{health.url}/ok"\n'
            + '    timeout = "2s"\n    interval = "1s"\n  }\n  on_failure = "fail"\n}\n'
        )
        edit_config(basic_project, "production", "promotion {\n", "promotion {\n  require_verified = true\n")  # fmt: skip
        assert cli("apply", "staging", "--yes").exit_code == 0
        health.failing = {"/ok"}
        assert cli("apply", "staging", "--set", "image_tag=v2", "--yes").exit_code == 4
        # staging's state holds v2 (#2, verify_failed) although its current release is #1
        refused = cli("promote", "--confirm", "production")
        assert refused.exit_code == 3, refused.output
        assert "release #2 of 'staging' is verify_failed, not verified" in refused.stderr
        health.failing = set()
        again = cli("verify", "staging")
        assert again.exit_code == 0, again.output
        assert "Release #2 of 'staging': verify_failed → verified" in again.stdout
        assert cli("promote", "--confirm", "production").exit_code == 0
        record = history(cli, "production")[0]
        assert record["source"]["seq"] == 2 and record["inputs"]["image_tag"] == "v2"
    finally:
        health.close()
