"""The parity matrix: every capability on the same tiny stack in two shapes, the same outcome.

Shapes (tests/parity.py): a single-stack project, and the same stack as an environment of one
component `app`. An environment is a graph of components and a single stack is the
one-component case (docs/components.md), so a scenario gives the same normalised outcome in
both: exit codes, release statuses and fields, outputs, refusals, hooks, notifications.

Every [single] case passes on the code before the one flow; these [component] cases fail there:
- test_plan_exit_codes_and_json: `plan --json` has no resource_changes for the component
- test_windows_refuse_and_break_glass_is_recorded: the notification's reason is the clock note,
  not the break-glass reason
- test_a_pin_only_change_is_recorded_and_addresses_come_before_confirming: "Nothing to apply"
- test_status_reconciles_a_run_left_applying: status leaves the release applying
- test_validate_names_promotion_problems_with_lines: validate passes
- test_rollback_reapplies_previous_inputs_and_goes_further_back: "Nothing to rollback"
- test_the_same_scenario_writes_the_same_ledger: the rollback after a tfvars change is missing
Hooks: the implicit component keeps unprefixed ENVMAN_OUTPUT_<NAME>; a named component's hooks
get those (for names no other component declares) and ENVMAN_OUTPUT_<COMPONENT>_<NAME>.
A failed verification with on_failure = "rollback" leaves the failed release verify_failed in
both shapes (what happened to it); a manual rollback marks the releases it undid rolled_back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, need_terraform
from tests.parity import (
    CANARY,
    SHAPES,
    Project,
    Shape,
    add_hooks,
    current,
    events,
    hook_runs,
    make_project,
    output_vars,
    view,
    views,
)
from tests.servers import Health, Receiver

FRIDAY = "2026-03-06T10:00:00Z"
TUESDAY = "2026-03-03T10:00:00Z"
IN_FREEZE = "2026-12-23T10:00:00Z"
WINDOWS = """protection {
  deny_weekdays = ["Friday"]
  freeze "holidays" {
    from   = "2026-12-19"
    to     = "2027-01-04"
    reason = "Holiday code freeze"
  }
}"""


@pytest.fixture(params=SHAPES, ids=[s.name for s in SHAPES])
def shape(request: pytest.FixtureRequest) -> Shape:
    need_terraform()
    found: Shape = request.param
    return found


@pytest.fixture
def project(shape: Shape, tmp_path: Path) -> Project:
    return make_project(shape, tmp_path)


@pytest.fixture
def health() -> Iterator[Health]:
    server = Health()
    yield server
    server.close()


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    server = Receiver()
    monkeypatch.setenv("PARITY_SLACK", server.url + "/services/T0/B0/hook-secret")
    yield server
    server.close()


def resource_changes(document: dict[str, object], shape: Shape) -> object:
    """The plan document's changes of the stack (a component's part of it with components)."""
    part = document
    if shape.component:
        components = document.get("components")
        assert isinstance(components, dict), document
        part = components["app"]
    return part.get("resource_changes")


def test_plan_exit_codes_and_json(project: Project) -> None:
    cli = project.cli
    first = cli("plan", "dev", "--detailed-exitcode")
    assert first.exit_code == 2, first.output
    document = json.loads(cli("plan", "dev", "--json").stdout)
    assert document["environment"] == "dev" and document["changes"] is True
    changes = resource_changes(document, project.shape)
    assert isinstance(changes, list), document
    assert sorted(changes, key=lambda change: str(change["address"])) == [
        {"action": "create", "address": "terraform_data.app"},
        {"action": "create", "address": "terraform_data.db"},
    ]  # terraform streams planned changes in no fixed order
    applied = cli("apply", "dev", "--yes")
    assert applied.exit_code == 0, applied.output
    clean = cli("plan", "dev", "--detailed-exitcode")
    assert clean.exit_code == 0, clean.output
    assert "no changes" in clean.stdout.lower()
    nothing = json.loads(cli("plan", "dev", "--json").stdout)
    assert nothing["changes"] is False and resource_changes(nothing, project.shape) == []
    changed = cli("plan", "dev", "--set", "replicas=2", "--detailed-exitcode", "--json")
    assert changed.exit_code == 2, changed.output
    assert resource_changes(json.loads(changed.stdout), project.shape) == [
        {"action": "update", "address": "terraform_data.app"}
    ]
    assert CANARY not in first.output + changed.output


def test_apply_records_outputs_and_status(project: Project) -> None:
    cli = project.cli
    applied = cli("apply", "dev", "--yes", "--set", "image=v2")
    assert applied.exit_code == 0, applied.output
    [release] = views(project)
    assert (release["kind"], release["status"]) == ("apply", "applied")
    assert release["outputs"] == {
        "image": "v2",
        "replicas": 1,
        "token": {"sensitive": True},
        "url": "http://127.0.0.1:9/health/v2",
    }
    assert release["plan"] == {"add": 2, "change": 0, "destroy": 0, "replace": 0}
    assert project.outputs() == {
        "image": "v2",
        "replicas": 1,
        "token": "<sensitive>",
        "url": "http://127.0.0.1:9/health/v2",
    }
    raw = cli("outputs", "dev", "image", "--raw")
    assert (raw.exit_code, raw.stdout.strip()) == (0, "v2"), raw.output
    assert release["inputs"] == {"image": "v2"}  # --set pins
    assert current(project) == {
        "seq": 1,
        "kind": "apply",
        "status": "applied",
        "pins": release["inputs"],
    }
    history = project.history()
    assert [(r["seq"], r["kind"], r["status"]) for r in history] == [(1, "apply", "applied")]
    seen = [cli("status", "--json"), cli("history", "dev", "--json"), cli("outputs", "dev")]
    for text in [r.output for r in seen] + [
        p.read_text() for p in project.ledger().rglob("*") if p.is_file()
    ]:
        assert CANARY not in text
    listed = cli("validate", "dev", "staging")
    assert listed.exit_code == 0, listed.output


def test_saved_plan_applies_exactly_it_and_a_stale_one_is_refused(project: Project) -> None:
    cli = project.cli
    assert cli("plan", "dev", "--set", "replicas=3").exit_code == 0
    applied = cli("apply", "dev", "--plan", "--yes")
    assert applied.exit_code == 0, applied.output
    assert project.outputs()["replicas"] == 3
    assert [(r["kind"], r["status"]) for r in views(project)] == [("apply", "applied")]
    spent = cli("apply", "dev", "--plan", "--yes")
    assert spent.exit_code == 1 and "no saved plan" in spent.stderr, spent.output
    assert cli("plan", "dev", "--set", "replicas=4").exit_code == 0
    project.tfvars("dev", "replicas = 5\n")
    stale = cli("apply", "dev", "--plan", "--yes")
    assert stale.exit_code == 1, stale.output
    assert "stale" in stale.stderr and "inputs changed" in stale.stderr
    assert len(project.records()) == 1


def test_windows_refuse_and_break_glass_is_recorded(
    project: Project, slack: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = project.cli
    project.append("dev", WINDOWS + '\nnotify "slack" {\n  webhook_url_env = "PARITY_SLACK"\n}')
    monkeypatch.setenv("ENVMAN_NOW", FRIDAY)
    refused = cli("apply", "dev", "--yes")
    assert refused.exit_code == 3, refused.output
    assert "deploys are not allowed on Friday (protection.deny_weekdays)" in refused.stderr
    assert not project.state().exists() and project.records() == []
    forced = cli("apply", "dev", "--yes", "--break-glass", "INC-7 fix")
    assert forced.exit_code == 0, forced.output
    [release] = views(project)
    assert release["break_glass"] == {"reason": "INC-7 fix", "rules": ["deny_weekdays:Friday"]}
    assert project.record(1)["clock_override"]["now"].startswith("2026-03-06T10:00:00")
    message = json.dumps(slack.bodies)
    assert "BREAK-GLASS" in message and "INC-7 fix" in message, message
    assert "deny_weekdays:Friday" in message and "hook-secret" not in message
    monkeypatch.setenv("ENVMAN_NOW", IN_FREEZE)
    frozen = cli("apply", "dev", "--yes", "--set", "replicas=2")
    assert frozen.exit_code == 3, frozen.output
    assert 'during freeze "holidays": Holiday code freeze (protection.freeze)' in frozen.stderr
    assert len(project.records()) == 1


def test_promotion_only_refuses_set_until_break_glass(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = project.cli
    project.append("staging", "protection {\n  promotion_only = true\n}")
    monkeypatch.setenv("ENVMAN_NOW", TUESDAY)
    assert cli("apply", "dev", "--yes", "--set", "image=v2").exit_code == 0
    promoted = cli("promote", "staging", "--yes")
    assert promoted.exit_code == 0, promoted.output
    refused = cli("apply", "staging", "--yes", "--set", "image=hotfix")
    assert refused.exit_code == 3, refused.output
    assert "refused by protection.promotion_only" in refused.stderr
    assert len(project.records("staging")) == 1
    glass = cli("apply", "staging", "--yes", "--set", "image=hotfix", "--break-glass", "INC-9")
    assert glass.exit_code == 0, glass.output
    release = views(project, "staging")[-1]
    assert release["break_glass"] == {"reason": "INC-9", "rules": ["promotion_only:image"]}
    assert release["inputs"] == {"image": "hotfix"}
    assert project.outputs("staging")["image"] == "hotfix"


def test_a_pin_only_change_is_recorded_and_addresses_come_before_confirming(
    project: Project,
) -> None:
    cli = project.cli
    assert cli("apply", "dev", "--yes").exit_code == 0
    pinned = cli("apply", "dev", "--yes", "--set", "replicas=1", "--pin", "replicas")
    assert pinned.exit_code == 0, pinned.output
    release = views(project)[-1]
    assert (release["seq"], release["inputs"]) == (2, {"replicas": 1})
    assert current(project)["pins"] == {"replicas": 1}
    unconfirmed = cli("apply", "dev", "--set", "replicas=2", "--pin", "replicas")
    assert unconfirmed.exit_code == 3, unconfirmed.output
    assert "terraform_data.app" in unconfirmed.stdout, unconfirmed.stdout
    assert len(project.records()) == 2


def test_status_reconciles_a_run_left_applying(project: Project) -> None:
    from envman.releases.ledger import Ledger
    from envman.releases.store_local import LocalStore

    assert project.cli("apply", "dev", "--yes").exit_code == 0
    stored = project.record(1)
    changes: dict[str, object] = {"status": "applying"}
    if stored.get("components"):
        entries = stored["components"]
        entries["app"]["status"] = "applying"
        changes["components"] = entries
    Ledger(LocalStore(project.ledger()), "dev").update(1, changes)
    status = project.cli("status", "dev", "--json")
    assert status.exit_code == 0, status.output
    assert current(project)["status"] == "applied"
    record = project.record(1)
    assert record["status"] == "applied" and record["reconciled_at"]


def test_validate_names_promotion_problems_with_lines(project: Project) -> None:
    staging = project.config("staging")
    staging.write_text(
        staging.read_text().replace("promotion {\n", "promotion {\n  require_verified = true\n")
    )
    project.append("dev", "protection {\n  promotion_only = true\n}")
    result = project.cli("validate")
    assert result.exit_code == 1, result.output
    staging_line = staging.read_text().splitlines().index("  require_verified = true") + 1
    dev_line = project.config("dev").read_text().splitlines().index("  promotion_only = true") + 1
    assert f"{staging}:{staging_line}:" in result.output, result.output
    assert f"{project.config('dev')}:{dev_line}:" in result.output, result.output


def test_guard_refuses_a_replacement_until_allowed(project: Project) -> None:
    cli = project.cli
    project.append("dev", 'guard {\n  prevent_destroy = ["terraform_data.db"]\n}')
    assert cli("apply", "dev", "--yes").exit_code == 0
    refused = cli("apply", "dev", "--yes", "--set", "db_gen=2")
    assert refused.exit_code == 3, refused.output
    assert "terraform_data.db" in refused.output
    planned = cli("plan", "dev", "--set", "db_gen=2")
    assert planned.exit_code == 3, planned.output
    assert len(project.records()) == 1
    allowed = cli(
        "apply", "dev", "--yes", "--set", "db_gen=2", "--allow-destroy", "terraform_data.db"
    )
    assert allowed.exit_code == 0, allowed.output
    release = views(project)[-1]
    assert release["allow_destroy"] == ["terraform_data.db"]
    assert release["plan"] == {"add": 1, "change": 0, "destroy": 1, "replace": 1}


def test_hooks_get_outputs_and_never_secrets(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "hooks.log"
    monkeypatch.setenv("PARITY_HOOK_LOG", str(log))
    add_hooks(project, "dev", log)
    applied = project.cli("apply", "dev", "--yes", "--set", "image=v3")
    assert applied.exit_code == 0, applied.output
    before, after = hook_runs(log)
    assert (before["name"], after["name"]) == ("before_apply", "after_apply")
    assert output_vars(before["env"], project.shape) == {}
    assert output_vars(after["env"], project.shape) == {
        "ENVMAN_OUTPUT_IMAGE": "v3",
        "ENVMAN_OUTPUT_REPLICAS": "1",
        "ENVMAN_OUTPUT_URL": "http://127.0.0.1:9/health/v3",
    }
    assert after["env"]["ENVMAN_ENVIRONMENT"] == "dev"
    assert CANARY not in log.read_text()
    if project.shape.component:
        # a named component's outputs come prefixed too (today; the implicit one keeps bare names)
        assert after["env"].get("ENVMAN_OUTPUT_APP_IMAGE") == "v3"
    else:
        assert not any(k.startswith("ENVMAN_OUTPUT_APP_") for k in after["env"])


def verify_block(health: Health, project: Project) -> None:
    project.tfvars("dev", f'health_base = "{health.url}"\n')
    project.append(
        "dev",
        """verify {
  http "health" {
    url_output = "url"
    timeout    = "2s"
    interval   = "1s"
  }
  on_failure = "rollback"
}

notify "slack" {
  webhook_url_env = "PARITY_SLACK"
}""",
    )


def test_verify_failure_rolls_back_and_notifies(
    project: Project, health: Health, slack: Receiver
) -> None:
    cli = project.cli
    verify_block(health, project)
    good = cli("apply", "dev", "--yes")
    assert good.exit_code == 0, good.output
    assert views(project)[0]["status"] == "verified"
    health.failing = {"/v2"}
    bad = cli("apply", "dev", "--yes", "--set", "image=v2")
    assert bad.exit_code == 4, bad.output
    assert "expected HTTP 200, got HTTP 503" in bad.output
    _, failed, back = views(project)
    assert failed["kind"] == "apply" and failed["verified"] is False
    assert failed["status"] == "verify_failed"  # one rule: what happened to it
    assert (back["kind"], back["status"], back["target_seq"], back["rollback_of"]) == (
        "rollback",
        "verified",
        1,
        2,
    )
    assert project.outputs()["image"] == "v1"
    assert current(project)["seq"] == 3
    sent = events(slack)
    assert "verify_failed" in sent and "auto_rollback" in sent, sent
    for text in (json.dumps(slack.bodies), bad.output):
        assert CANARY not in text and "hook-secret" not in text
    again = cli("verify", "dev")
    assert again.exit_code == 0, again.output
    assert "verified → verified" in again.stdout


def test_promote_carries_values_and_pins_them(project: Project) -> None:
    cli = project.cli
    assert cli("apply", "staging", "--yes").exit_code == 0
    assert cli("apply", "dev", "--yes", "--set", "image=v2").exit_code == 0
    dry = cli("promote", "staging", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert len(project.records("staging")) == 1
    promoted = cli("promote", "staging", "--yes")
    assert promoted.exit_code == 0, promoted.output
    line = next(x for x in promoted.stdout.splitlines() if "image" in x and "v2" in x)
    assert "v1" in line and line.index("v1") < line.index("v2"), promoted.stdout
    release = views(project, "staging")[-1]
    assert (release["kind"], release["status"], release["source"]) == (
        "promote",
        "applied",
        ("dev", 1),
    )
    assert release["inputs"] == {"image": "v2"}
    assert project.outputs("staging")["image"] == "v2"
    assert current(project, "staging")["pins"] == {"image": "v2"}
    kept = cli("plan", "staging", "--detailed-exitcode")
    assert kept.exit_code == 0, kept.output


def test_rollback_reapplies_previous_inputs_and_goes_further_back(project: Project) -> None:
    cli = project.cli
    for replicas in (1, 2, 3):
        project.tfvars("dev", f"replicas = {replicas}\n")
        assert cli("apply", "dev", "--yes").exit_code == 0
    rolled = cli("rollback", "dev", "--yes")
    assert rolled.exit_code == 0, rolled.output
    assert project.outputs()["replicas"] == 2
    records = views(project)
    assert records[2]["status"] == "rolled_back"
    assert (records[3]["kind"], records[3]["target_seq"], records[3]["rollback_of"]) == (
        "rollback",
        2,
        3,
    )
    assert records[3]["inputs"] == {"replicas": 2}
    further = cli("rollback", "dev", "--yes")
    assert further.exit_code == 0, further.output
    assert project.outputs()["replicas"] == 1
    last = views(project)[-1]
    assert (last["kind"], last["target_seq"], last["inputs"]) == ("rollback", 1, {"replicas": 1})
    assert current(project)["pins"] == {"replicas": 1}


def test_destroy_records_and_status_says_so(project: Project) -> None:
    cli = project.cli
    assert cli("apply", "dev", "--yes").exit_code == 0
    refused = cli("destroy", "dev", "--yes")
    assert refused.exit_code == 3, refused.output
    destroyed = cli("destroy", "dev", "--confirm", "dev")
    assert destroyed.exit_code == 0, destroyed.output
    release = views(project)[-1]
    assert release["kind"] == "destroy"
    state = json.loads(project.state().read_text())
    assert state["resources"] == []
    assert current(project)["seq"] is None
    rebuilt = cli("apply", "dev", "--yes")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert views(project)[-1]["plan"] == {"add": 2, "change": 0, "destroy": 0, "replace": 0}


AWS_STACK = """terraform {
  backend "local" {}
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

resource "aws_ssm_parameter" "flag" {
  name  = "/parity/flag"
  type  = "String"
  value = "on"
}
"""


@pytest.mark.aws
def test_drift_in_sync_then_drifted(
    project: Project, moto: str, provider_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drift needs a provider that reads reality back: one SSM parameter on the moto server."""
    import boto3

    monkeypatch.setenv("ENVMAN_PROVIDER_MIRROR", str(provider_mirror))
    stack = project.root / "stack"
    main = stack / "main.tf"
    main.write_text(main.read_text().replace('terraform {\n  backend "local" {}\n}\n', ""))
    (stack / "aws.tf").write_text(AWS_STACK)
    lock = FIXTURES / "drift_aws" / "stack" / ".terraform.lock.hcl"
    (stack / ".terraform.lock.hcl").write_text(lock.read_text())
    project.append("dev", f'aws {{\n  region       = "us-east-1"\n  endpoint_url = "{moto}"\n}}')
    cli = project.cli
    assert cli("apply", "dev", "--yes").exit_code == 0
    clean = cli("drift", "dev", "--format", "json")
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout)["environments"][0]["status"] == "in_sync"
    ssm = boto3.client("ssm", endpoint_url=moto, region_name="us-east-1")
    ssm.put_parameter(Name="/parity/flag", Value="off", Type="String", Overwrite=True)
    drifted = cli("drift", "dev", "--format", "json")
    assert drifted.exit_code == 2, drifted.output
    [row] = json.loads(drifted.stdout)["environments"]
    assert row["status"] == "drifted"
    found = [(f["address"], f["attribute"]) for f in row["findings"]]
    assert found == [("aws_ssm_parameter.flag", "value")]  # the value itself is sensitive
    status = json.loads(cli("status", "dev", "--json").stdout)["environments"][0]
    assert status["drift"]["status"] == "drifted"


def test_unlock_releases_the_operation_lock(project: Project) -> None:
    cli = project.cli
    assert cli("apply", "dev", "--yes").exit_code == 0
    lock = project.ledger() / "lock.json"
    lock.write_text(
        json.dumps(
            {
                "id": "stale-lock-1",
                "operation": "apply",
                "actor": "someone",
                "host": "elsewhere",
                "pid": 1,
                "started_at": "2026-01-01T00:00:00Z",
                "expires_at": "2999-01-01T00:00:00Z",
            }
        )
    )
    blocked = cli("apply", "dev", "--yes", "--set", "replicas=2")
    assert blocked.exit_code == 1 and "locked" in blocked.stderr, blocked.output
    refused = cli("unlock", "dev", "stale-lock-1")
    assert refused.exit_code == 3, refused.output
    released = cli("unlock", "dev", "stale-lock-1", "--confirm", "dev")
    assert released.exit_code == 0, released.output
    assert "Released envman's operation lock stale-lock-1" in released.stdout
    assert cli("apply", "dev", "--yes", "--set", "replicas=2").exit_code == 0


def test_the_same_scenario_writes_the_same_ledger(tmp_path: Path) -> None:
    """Apply, promote, a tfvars change, rollback: the normalised ledgers of the shapes agree."""
    need_terraform()
    ledgers = {}
    for shape in SHAPES:
        project = make_project(shape, tmp_path / shape.name)
        cli = project.cli
        assert cli("apply", "dev", "--yes", "--set", "image=v2").exit_code == 0
        assert cli("promote", "staging", "--yes").exit_code == 0
        project.tfvars("staging", "replicas = 2\n")
        assert cli("apply", "staging", "--yes").exit_code == 0
        assert cli("rollback", "staging", "--yes").exit_code == 0
        ledgers[shape.name] = {env: views(project, env) for env in ("dev", "staging")}
    assert ledgers["component"] == ledgers["single"]
    kinds = [(r["kind"], r["status"]) for r in ledgers["single"]["staging"]]
    assert kinds == [("promote", "applied"), ("apply", "rolled_back"), ("rollback", "applied")]
    assert view(project.record(3, "staging"))["target_seq"] == 1
