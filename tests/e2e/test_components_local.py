"""Components (docs/components.md) end to end: tiny terraform_data stacks wired by outputs,
local backends, the real terraform binary."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform, shows_change


@pytest.fixture
def project(tmp_path: Path) -> Path:
    need_terraform()
    return copy_fixture("components", tmp_path)


@pytest.fixture
def ccli(project: Path) -> Cli:
    return Cli(project)


def release(project: Path, seq: int, env: str = "dev") -> dict[str, Any]:
    path = project / "state" / env / "terraform.tfstate.releases" / f"{seq:08d}.json"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def statuses(record: dict[str, Any]) -> dict[str, str]:
    return {name: entry["status"] for name, entry in record["components"].items()}


def test_first_build_defers_downstreams_and_applies_in_graph_order(
    ccli: Cli, project: Path
) -> None:
    planned = ccli("plan", "dev")
    assert planned.exit_code == 0, planned.output
    assert "data: planned after network applies" in planned.stdout
    assert "app: planned after data, network applies" in planned.stdout
    applied = ccli("apply", "dev", "--yes")
    assert applied.exit_code == 0, applied.output
    record = release(project, 1)
    assert record["schema"] == 2 and record["status"] == "applied"
    assert statuses(record) == dict.fromkeys(("network", "data", "edge", "app"), "applied")
    parts = record["components"]
    for upstream, downstream in (("network", "data"), ("data", "app"), ("edge", "app")):
        assert parts[upstream]["finished_at"] <= parts[downstream]["started_at"]
    assert parts["app"]["values"]["vpc_id"] == {
        "value": "vpc-10-0-0-0-16",
        "source": "component",
        "from": "network.vpc_id",
    }
    assert parts["app"]["outputs"]["url"] == "https://app/v1@db.vpc-10-0-0-0-16.small"
    for name in ("network", "data", "edge", "app"):
        assert (project / "state" / "dev" / name / "terraform.tfstate").is_file()
        assert (project / ".envman" / "envs" / "dev" / "components" / name / "terraform").is_dir()
    again = ccli("plan", "dev", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert again.stdout.count("no changes") == 4


def test_independent_components_apply_at_once(ccli: Cli, project: Path) -> None:
    # a bare --set NAME sets it in every component that declares it: network and edge
    applied = ccli("apply", "dev", "--yes", "--set", "sleep=3", "--parallel", "2")
    assert applied.exit_code == 0, applied.output
    parts = release(project, 1)["components"]
    network, edge = parts["network"], parts["edge"]
    # each sleeps 3 s while applying: their intervals overlap only when they ran together
    assert network["started_at"] < edge["finished_at"]
    assert edge["started_at"] < network["finished_at"]


def test_upstream_output_change_propagates_down_the_chain(ccli: Cli, project: Path) -> None:
    assert ccli("apply", "dev", "--yes").exit_code == 0
    (project / "environments" / "dev" / "data.tfvars").write_text('db_size = "large"\n')
    planned = ccli("plan", "dev")
    assert "data: 0 to add, 1 to change" in planned.stdout, planned.output
    assert "app: planned after data applies" in planned.stdout
    applied = ccli("apply", "dev", "--yes")
    assert applied.exit_code == 0, applied.output
    record = release(project, 2)
    assert statuses(record) == {"data": "applied", "app": "applied"}
    assert record["components"]["app"]["outputs"]["url"].endswith("db.vpc-10-0-0-0-16.large")


def test_deferred_plan_that_replaces_needs_a_new_confirmation(ccli: Cli, project: Path) -> None:
    assert ccli("apply", "dev", "--yes").exit_code == 0
    tfvars = project / "environments" / "dev" / "terraform.tfvars"
    tfvars.write_text('image_tag = "v1"\ncidr      = "10.1.0.0/16"\n')
    refused = ccli("apply", "dev", "--yes")
    assert refused.exit_code == 3, refused.output
    assert "component 'data'" in refused.stderr and "new confirmation" in refused.stderr
    record = release(project, 2)
    assert record["status"] == "partial"
    assert statuses(record) == {"network": "applied", "data": "refused", "app": "pending"}
    # the next apply resumes: data's replacement is planned up front, shown and confirmed
    resumed = ccli("apply", "dev", "--yes")
    assert resumed.exit_code == 0, resumed.output
    assert "data: 1 to add, 0 to change, 1 to destroy" in resumed.stdout
    record = release(project, 3)
    assert record["status"] == "applied"
    assert statuses(record) == {"data": "applied", "app": "applied"}
    assert "10-1-0-0-16" in record["components"]["app"]["outputs"]["url"]


def test_failure_half_way_is_partial_and_the_next_apply_resumes(ccli: Cli, project: Path) -> None:
    failed = ccli("apply", "dev", "--yes", "--set", "data.fail=true")
    assert failed.exit_code == 1, failed.output
    record = release(project, 1)
    assert record["status"] == "partial"
    assert statuses(record)["network"] == "applied"
    assert statuses(record)["data"] == "failed"
    assert statuses(record)["app"] == "pending"
    assert "applied: network" in record["error"] and "not applied: app" in record["error"]
    resumed = ccli("apply", "dev", "--yes")
    assert resumed.exit_code == 0, resumed.output
    assert "network: no changes" in resumed.stdout
    record = release(project, 2)
    assert record["status"] == "applied"
    assert "network" not in record["components"]
    assert statuses(record)["app"] == "applied"


def test_c_limits_the_run_and_reads_upstreams(ccli: Cli, project: Path) -> None:
    assert ccli("apply", "dev", "--yes").exit_code == 0
    serial = release(project, 1)["components"]["network"]["state"]["serial_after"]
    applied = ccli("apply", "dev", "-c", "app", "--set", "app.image_tag=v2", "--yes")
    assert applied.exit_code == 0, applied.output
    record = release(project, 2)
    assert list(record["components"]) == ["app"]
    assert record["components"]["app"]["outputs"]["image_tag"] == "v2"
    state = json.loads((project / "state/dev/network/terraform.tfstate").read_text())
    assert state["serial"] == serial


def test_c_with_an_upstream_without_state_is_refused(ccli: Cli) -> None:
    result = ccli("plan", "dev", "-c", "app")
    assert result.exit_code == 1
    assert "has no output" in result.stderr and "envman apply dev -c" in result.stderr


def test_changed_since_a_git_revision(ccli: Cli, project: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)

    assert ccli("apply", "dev", "--yes").exit_code == 0
    (project / ".gitignore").write_text("state/\n.envman/\n")
    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "0")
    git("add", "-A")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "start")
    with (project / "stacks" / "data" / "main.tf").open("a") as handle:
        handle.write("\n# a change\n")
    result = ccli("plan", "dev", "--changed", "HEAD", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["order"] == ["data", "app"]
    (project / "environments" / "dev" / "edge.tfvars").write_text("sleep = 0\n")
    git("add", "-A")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "more")
    only_edge = ccli("plan", "dev", "--changed", "HEAD~1", "--json")
    assert json.loads(only_edge.stdout)["order"] == ["data", "edge", "app"]
    # the plans of the changed components are saved: apply --plan applies exactly those
    applied = ccli("apply", "dev", "--plan", "--yes")
    assert applied.exit_code == 0, applied.output
    assert "network" not in applied.stdout, applied.stdout
    bad = ccli("plan", "dev", "--changed", "no-such-ref")
    assert bad.exit_code == 1 and "--changed" in bad.stderr


def test_promotion_plans_only_the_changed_component_and_rollback_undoes_it(
    ccli: Cli, project: Path
) -> None:
    assert ccli("apply", "dev", "--yes", "--set", "app.image_tag=v2").exit_code == 0
    assert ccli("apply", "staging", "--yes").exit_code == 0
    promoted = ccli("promote", "staging", "--yes")
    assert promoted.exit_code == 0, promoted.output
    assert shows_change(promoted.stdout, "app.image_tag", "v0", "v2"), promoted.stdout
    assert "network:" not in promoted.stdout and "data:" not in promoted.stdout
    record = release(project, 2, "staging")
    assert record["kind"] == "promote" and record["source"]["environment"] == "dev"
    assert statuses(record) == {"app": "applied"}
    assert record["components"]["app"]["inputs"] == {"image_tag": "v2"}
    outputs = json.loads(ccli("outputs", "staging", "-c", "app", "--json").stdout)
    assert outputs["image_tag"]["value"] == "v2"
    # a later plain apply keeps the promoted value: it is pinned per component
    assert "no changes" in ccli("plan", "staging", "-c", "app").stdout
    assert json.loads(ccli("status", "--json").stdout)["pending_promotions"] == []
    rolled = ccli("rollback", "staging", "--yes")
    assert rolled.exit_code == 0, rolled.output
    assert shows_change(rolled.stdout, "app.image_tag", "v2", "v0"), rolled.stdout
    record = release(project, 3, "staging")
    assert record["kind"] == "rollback" and record["target_seq"] == 1
    assert statuses(record) == {"app": "applied"}
    outputs = json.loads(ccli("outputs", "staging", "--json").stdout)
    assert outputs["app"]["image_tag"]["value"] == "v0"
    pending = json.loads(ccli("status", "--json").stdout)["pending_promotions"]
    assert [(p["variable"], p["source_value"], p["target_value"]) for p in pending] == [
        ("app.image_tag", "v2", "v0")
    ]
    assert set(outputs) == {"network", "data", "edge", "app"}


def test_drift_status_and_history_per_component(ccli: Cli, project: Path) -> None:
    assert ccli("apply", "dev", "--yes").exit_code == 0
    clean = ccli("drift", "dev", "--format", "json")
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout)["environments"][0]["status"] == "in_sync"
    (project / "environments" / "dev" / "data.tfvars").write_text('db_size = "large"\n')
    pending = json.loads(ccli("drift", "dev", "--format", "json").stdout)["environments"][0]
    assert pending["status"] == "pending"
    assert pending["pending_changes"] == [
        {"action": "update", "address": "terraform_data.db", "component": "data"}
    ]
    assert ccli("apply", "dev", "--yes", "-c", "data", "-c", "app").exit_code == 0
    status = json.loads(ccli("status", "dev", "--json").stdout)["environments"][0]
    assert status["components"]["network"]["seq"] == 1
    assert status["components"]["data"]["seq"] == 2
    history = ccli("history", "dev")
    assert "data applied; app applied" in history.stdout
    assert "network applied; data applied; edge applied; app applied" in history.stdout


def test_one_output_by_name_or_component_dot_name(ccli: Cli, project: Path) -> None:
    assert ccli("apply", "dev", "--yes", "-c", "network").exit_code == 0
    for name in ("vpc_id", "network.vpc_id"):  # only network declares vpc_id
        raw = ccli("outputs", "dev", name, "--raw")
        assert (raw.exit_code, raw.stdout.strip()) == (0, "vpc-10-0-0-0-16"), raw.output
    missing = ccli("outputs", "dev", "nope")
    assert missing.exit_code == 1
    assert "no component of 'dev' declares an output 'nope'" in missing.stderr
    edge = project / "stacks" / "edge" / "main.tf"
    edge.write_text(edge.read_text() + '\noutput "vpc_id" {\n  value = "none"\n}\n')
    both = ccli("outputs", "dev", "vpc_id")
    assert both.exit_code == 1
    assert "declared by components network, edge" in both.stderr
    assert "envman outputs dev network.vpc_id" in both.stderr


def test_hooks_and_verification_follow_a_graph_apply(ccli: Cli, project: Path) -> None:
    config = project / "environments" / "dev" / "environment.hcl"
    config.write_text(
        config.read_text()
        + """
hook "before_apply" {
  command = ["sh", "-c", "echo before >> hooks.log"]
}
hook "after_apply" {
  command = ["sh", "-c", "echo \\"$ENVMAN_OUTPUT_APP_URL $ENVMAN_OUTPUT_VPC_ID\\" >> hooks.log"]
}
verify {
  http "app" {
    url      = "http://127.0.0.1:9/health"
    timeout  = "1s"
    interval = "1s"
  }
}
"""
    )
    result = ccli("apply", "dev", "--yes")
    assert result.exit_code == 4, result.output
    lines = (project / "environments" / "dev" / "hooks.log").read_text().splitlines()
    assert lines == ["before", "https://app/v1@db.vpc-10-0-0-0-16.small vpc-10-0-0-0-16"]
    record = release(project, 1)
    assert record["status"] == "verify_failed"
    assert record["verification"]["ok"] is False
    again = ccli("verify", "dev")  # re-run over every component's outputs
    assert again.exit_code == 4, again.output
    assert "verify_failed → verify_failed" in again.stdout


def test_failed_verification_rolls_the_changed_components_back(ccli: Cli, project: Path) -> None:
    assert ccli("apply", "dev", "--yes").exit_code == 0
    config = project / "environments" / "dev" / "environment.hcl"
    config.write_text(
        config.read_text()
        + """
verify {
  http "app" {
    url      = "http://127.0.0.1:9/health"
    timeout  = "1s"
    interval = "1s"
  }
  on_failure = "rollback"
}
"""
    )
    result = ccli("apply", "dev", "--yes", "--set", "app.image_tag=v2")
    assert result.exit_code == 4, result.output
    assert release(project, 2)["status"] == "verify_failed"  # as a single stack's
    back = release(project, 3)
    assert back["kind"] == "rollback" and back["rollback_of"] == 2 and back["target_seq"] == 1
    assert statuses(back) == {"app": "applied"}
    assert back["components"]["app"]["outputs"]["image_tag"] == "v1"


def test_tf_runs_terraform_in_one_component(ccli: Cli) -> None:
    assert ccli("apply", "dev", "--yes", "-c", "network").exit_code == 0
    listed = ccli("tf", "dev", "-c", "network", "--", "state", "list")
    assert listed.exit_code == 0, listed.output
    assert ccli("tf", "dev", "--", "state", "list").exit_code == 1
    refused = ccli("tf", "dev", "-c", "app", "--", "plan")
    assert refused.exit_code == 1 and "needs its upstreams' outputs" in refused.stderr


def test_destroy_takes_dependents_first_and_a_later_apply_rebuilds(
    ccli: Cli, project: Path
) -> None:
    assert ccli("apply", "dev", "--yes").exit_code == 0
    refused = ccli("destroy", "dev", "-c", "data", "--yes")
    assert refused.exit_code == 3, refused.output
    destroyed = ccli("destroy", "dev", "-c", "data", "--confirm", "dev")
    assert destroyed.exit_code == 0, destroyed.output
    assert destroyed.stdout.index("app:") < destroyed.stdout.index("data:")
    record = release(project, 2)
    assert record["kind"] == "destroy"
    assert statuses(record) == {"app": "destroyed", "data": "destroyed"}
    assert record["components"]["app"]["finished_at"] <= record["components"]["data"]["started_at"]
    status = json.loads(ccli("status", "dev", "--json").stdout)["environments"][0]
    assert status["components"]["data"]["destroyed"] is True
    assert status["components"]["network"]["seq"] == 1
    assert status["destroyed"] is None
    rebuilt = ccli("apply", "dev", "--yes")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert statuses(release(project, 3)) == {"data": "applied", "app": "applied"}


def test_a_sensitive_upstream_output_never_shows(ccli: Cli, project: Path) -> None:
    secret = "net-secret-token-9d1f"
    results = [ccli("apply", "dev", "--yes"), ccli("plan", "dev", "--json")]
    results += [ccli("outputs", "dev", "--json"), ccli("history", "dev", "--json")]
    results += [ccli("status", "dev", "--json"), ccli("drift", "dev", "--format", "json")]
    for result in results:
        assert result.exit_code == 0, result.output
        assert secret not in result.output
    outputs = json.loads(ccli("outputs", "dev", "-c", "network", "--json").stdout)
    assert (
        outputs["token"] == {"sensitive": True, "value": "<sensitive>"}
        or outputs["token"]["sensitive"]
    )
    ledger = project / "state" / "dev" / "terraform.tfstate.releases"
    for record in ledger.glob("*.json"):
        assert secret not in record.read_text()
    entry = release(project, 1)["components"]["data"]["values"]["net_token"]
    assert entry == {"sensitive": True, "source": "component", "from": "network.token"}


def test_one_output_of_one_component(ccli: Cli) -> None:
    assert ccli("apply", "dev", "--yes", "-c", "network").exit_code == 0
    raw = ccli("outputs", "dev", "vpc_id", "-c", "network", "--raw")
    assert raw.exit_code == 0 and raw.stdout.strip() == "vpc-10-0-0-0-16"


def test_review_report_has_a_section_per_component(ccli: Cli, project: Path) -> None:
    report = project / "review.md"
    result = ccli("plan", "dev", "--format", "markdown", "--report", str(report))
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert "### Component `network`: 1 to add" in text
    assert "### Component `data`" in text and "planned after network applies" in text
    assert text in result.stdout
    assert ccli("plan", "dev", "--json", "--format", "markdown").exit_code == 1


def test_the_guard_reviews_a_deferred_plan(ccli: Cli, project: Path) -> None:
    assert ccli("apply", "dev", "--yes").exit_code == 0
    config = project / "environments" / "dev" / "environment.hcl"
    config.write_text(
        config.read_text() + '\nguard {\n  prevent_destroy = ["terraform_data.db"]\n}\n'
    )
    tfvars = project / "environments" / "dev" / "terraform.tfvars"
    tfvars.write_text('image_tag = "v1"\ncidr      = "10.2.0.0/16"\n')
    refused = ccli("apply", "dev", "--yes")
    assert refused.exit_code == 3, refused.output
    assert "terraform_data.db" in refused.output
    record = release(project, 2)
    assert record["status"] == "partial"
    assert statuses(record) == {"network": "applied", "data": "refused", "app": "pending"}
    # the next plan shows data's replacement up front, refused by the guard
    planned = ccli("plan", "dev")
    assert planned.exit_code == 3, planned.output


def test_pin_and_unpin_a_component_variable(ccli: Cli, project: Path) -> None:
    assert ccli("apply", "dev", "--yes").exit_code == 0
    pinned = ccli("apply", "dev", "--yes", "--set", "data.db_size=medium", "--pin", "db_size")
    assert pinned.exit_code == 0, pinned.output
    assert release(project, 2)["components"]["data"]["inputs"] == {"db_size": "medium"}
    assert "data: no changes" in ccli("plan", "dev").stdout  # the pin holds
    unpinned = ccli("plan", "dev", "--unpin", "data.db_size")
    assert "data: 0 to add, 1 to change" in unpinned.stdout, unpinned.output
    wrong = ccli("plan", "dev", "--pin", "nosuch.db_size")
    assert wrong.exit_code == 1 and "not a component of this run" in wrong.stderr


def test_apply_the_saved_plan(ccli: Cli, project: Path) -> None:
    assert ccli("apply", "dev", "--plan", "--yes").exit_code == 1  # nothing saved yet
    assert ccli("plan", "dev", "--set", "edge.sleep=1").exit_code == 0
    applied = ccli("apply", "dev", "--plan", "--yes")
    assert applied.exit_code == 0, applied.output
    assert "Planning 'data' now that network applied" in applied.stdout
    expected = dict.fromkeys(("network", "data", "edge", "app"), "applied")
    assert statuses(release(project, 1)) == expected
    again = ccli("apply", "dev", "--plan", "--yes")
    assert again.exit_code == 1 and "no saved plan" in again.stderr
    assert ccli("plan", "dev", "--set", "app.image_tag=v5").exit_code == 0
    (project / "environments" / "dev" / "app.tfvars").write_text('image_tag = "v6"\n')
    stale = ccli("apply", "dev", "--plan", "--yes")
    assert stale.exit_code == 1 and "stale: its inputs changed" in stale.stderr
    mixed = ccli("apply", "dev", "--plan", "--yes", "-c", "app")
    assert mixed.exit_code == 1 and "cannot be combined with --plan" in mixed.stderr


def test_a_component_left_applying_is_reconciled_from_its_run(ccli: Cli, project: Path) -> None:
    from envman.releases.ledger import Ledger
    from envman.releases.store_local import LocalStore

    assert ccli("apply", "dev", "--yes").exit_code == 0
    ledger = Ledger(LocalStore(project / "state/dev/terraform.tfstate.releases"), "dev")
    entries = release(project, 1)["components"]
    entries["app"]["status"] = "applying"  # as if envman died while terraform applied app
    ledger.update(1, {"status": "applying", "components": entries})
    result = ccli("plan", "dev")
    assert result.exit_code == 0, result.output
    assert "reconciled component 'app' of release #1 of 'dev': applied" in result.output
    record = release(project, 1)
    assert record["status"] == "applied"
    assert record["components"]["app"]["status"] == "applied"
    assert record["components"]["app"]["reconciled_at"]


def test_a_component_destroy_honours_prevent_destroy(ccli: Cli, project: Path) -> None:
    """As `destroy` of one stack: prevent_destroy holds (exit 3, nothing recorded, state kept)
    until --allow-destroy names the address."""
    assert ccli("apply", "dev", "--yes").exit_code == 0
    config = project / "environments" / "dev" / "environment.hcl"
    config.write_text(
        config.read_text() + '\nguard {\n  prevent_destroy = ["terraform_data.db"]\n}\n'
    )
    state = project / "state" / "dev" / "data" / "terraform.tfstate"
    before = state.read_text()
    refused = ccli("destroy", "dev", "-c", "data", "--confirm", "dev")
    assert refused.exit_code == 3, refused.output
    assert "terraform_data.db" in refused.output
    assert state.read_text() == before
    assert not (project / "state/dev/terraform.tfstate.releases/00000002.json").exists()
    allowed = ccli(
        "destroy", "dev", "-c", "data", "--confirm", "dev", "--allow-destroy", "terraform_data.db"
    )
    assert allowed.exit_code == 0, allowed.output
    assert statuses(release(project, 2)) == {"app": "destroyed", "data": "destroyed"}
    assert release(project, 2)["allow_destroy"] == ["terraform_data.db"]  # recorded


def test_a_promotion_plans_dependents_only_when_their_inputs_change(
    ccli: Cli, project: Path
) -> None:
    staging = project / "environments" / "staging" / "environment.hcl"
    staging.write_text(
        staging.read_text().replace(
            '{ "app.image_tag" = "app.image_tag" }',
            '{ "data.owner" = "data.owner", "data.db_size" = "data.db_size" }',
        )
    )
    assert ccli("apply", "staging", "--yes").exit_code == 0
    assert ccli("apply", "dev", "--yes", "--set", "data.owner=team-a").exit_code == 0
    promoted = ccli("promote", "staging", "--yes")
    assert promoted.exit_code == 0, promoted.output
    # app consumes data.db_endpoint, which this plan leaves as it is: app is not planned
    assert "app: not planned (its inputs do not change)" in promoted.stdout
    assert statuses(release(project, 2, "staging")) == {"data": "applied"}
    assert ccli("apply", "dev", "--yes", "--set", "data.db_size=large").exit_code == 0
    promoted = ccli("promote", "staging", "--yes")
    assert promoted.exit_code == 0, promoted.output
    # now db_endpoint changes: app waits for data and is planned and applied after it
    assert "app: planned after data applies" in promoted.stdout
    assert statuses(release(project, 3, "staging")) == {"data": "applied", "app": "applied"}
    app = json.loads(ccli("outputs", "staging", "-c", "app", "--json").stdout)
    assert ".large" in app["url"]["value"]


def test_hooks_see_the_outputs_of_components_the_run_left_out(ccli: Cli, project: Path) -> None:
    assert ccli("apply", "dev", "--yes").exit_code == 0
    config = project / "environments" / "dev" / "environment.hcl"
    config.write_text(
        config.read_text()
        + """
hook "after_apply" {
  command = ["sh", "-c", "echo \\"$ENVMAN_OUTPUT_APP_IMAGE_TAG $ENVMAN_OUTPUT_EDGE_CDN $ENVMAN_OUTPUT_VPC_ID\\" >> hooks.log"]
}
"""
    )
    result = ccli("apply", "dev", "-c", "app", "--set", "app.image_tag=v3", "--yes")
    assert result.exit_code == 0, result.output
    assert statuses(release(project, 2)) == {"app": "applied"}
    lines = (project / "environments" / "dev" / "hooks.log").read_text().splitlines()
    assert lines == ["v3 cdn vpc-10-0-0-0-16"]  # edge and network were not in the run


def test_an_input_wired_to_a_null_output_is_a_clear_error(ccli: Cli, project: Path) -> None:
    with (project / "stacks" / "network" / "main.tf").open("a") as handle:
        handle.write('\noutput "maybe" {\n  value = null\n}\n')
    with (project / "stacks" / "data" / "main.tf").open("a") as handle:
        handle.write('\nvariable "maybe" {\n  type    = string\n  default = null\n}\n')
    hcl = project / "envman.hcl"
    hcl.write_text(
        hcl.read_text().replace(
            'net_token = "network.token"', 'net_token = "network.token", maybe = "network.maybe"'
        )
    )
    result = ccli("apply", "dev", "--yes")
    assert result.exit_code == 1
    assert "has no output 'maybe' in its state" in result.stderr
    assert "terraform keeps no null output" in result.stderr
    ledger = project / "state" / "dev" / "terraform.tfstate.releases"
    assert not list(ledger.glob("0*.json"))  # refused before anything applied


def test_a_promotion_into_an_environment_without_releases_builds_every_component(
    ccli: Cli, project: Path
) -> None:
    assert ccli("apply", "dev", "--yes", "--set", "app.image_tag=v2").exit_code == 0
    promoted = ccli("promote", "staging", "--yes")
    assert promoted.exit_code == 0, promoted.output
    record = release(project, 1, "staging")
    assert record["kind"] == "promote"
    assert statuses(record) == dict.fromkeys(("network", "data", "app", "edge"), "applied")
    assert record["components"]["app"]["inputs"] == {"image_tag": "v2"}
