"""Defects of environments made of components, one test each; a single stack does each right.

Real terraform on the `components` fixture (network → data → app, edge; tiny terraform_data
stacks, local backend) or on the parity fixtures; S3 on the moto server for `unlock -c`.

On the code before the one flow (docs/components.md), these fail:
- test_a_sensitive_upstream_output_is_not_promoted: the secret is pinned in clear text
- test_sensitivity_survives_wiring: a wired secret lands in outputs, status, hooks, --raw
- test_hooks_never_get_tf_var_of_a_sensitive_variable_with_c: sensitive variables are looked
  up in the default terraform/ stack only, so TF_VAR_api_key reaches the hook
- test_rollback_after_a_tfvars_change: "Nothing to rollback" (pins only)
- test_a_second_rollback_goes_further_back: the undone release is never marked rolled_back
- test_component_names_are_identifiers[*]: accepted (250 characters: an internal error)
- test_status_reconciles_an_interrupted_component_run: status leaves the release applying
- test_unlock_reaches_a_component_lock: unlock has no -c option
- test_a_pin_only_change_is_recorded: "Nothing to apply", no release
- test_addresses_are_shown_before_confirming: counts only, no addresses
- test_break_glass_is_in_notifications: the notification has no BREAK-GLASS
- test_verify_reads_component_outputs: passes: `envman verify` reads component outputs since
  the merge of component outputs for hooks and verify (kept as a guard)
- test_allow_destroy_is_honoured_on_promote_and_rollback: the option is dropped (exit 3)
- test_promote_from_is_gated: self-promotion, promotion_only and destroyed-source are skipped
- test_pins_come_from_the_current_release_chain: pins from the last 100 releases of any status
- test_one_components_drift_error_does_not_hide_the_others: the error hides data's change
- test_validate_catches_promotion_problems_with_lines: no require_verified, promotion_only,
  release_variables checks
- test_json_documents_match_the_single_stack: another shape; nothing for "nothing to do" and
  --dry-run
Not tested here: the CloudFront invalidation after a component apply (`previous_outputs=None`)
needs a CloudFront distribution with the AWS provider (slow even on the moto server); it belongs
with the AWS platform tests.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.helpers import Cli, copy_fixture, need_terraform
from tests.parity import SHAPES, events, make_project
from tests.servers import Health, Receiver

NET_SECRET = "net-secret-token-9d1f"  # network's sensitive output `token`
FRIDAY = "2026-03-06T10:00:00Z"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    need_terraform()
    return copy_fixture("components", tmp_path)


@pytest.fixture
def cli(project: Path) -> Cli:
    return Cli(project)


def ledger(project: Path, env: str = "dev") -> Path:
    return project / "state" / env / "terraform.tfstate.releases"


def record(project: Path, seq: int, env: str = "dev") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ledger(project, env) / f"{seq:08d}.json").read_text())
    return data


def ledger_text(project: Path, env: str = "dev") -> str:
    folder = ledger(project, env)
    return "".join(p.read_text() for p in sorted(folder.glob("*.json"))) if folder.exists() else ""


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + "\n" + text + "\n")


def config(project: Path, env: str) -> Path:
    return project / "environments" / env / "environment.hcl"


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


def outputs(cli: Cli, env: str, component: str) -> dict[str, Any]:
    result = cli("outputs", env, "-c", component, "--json")
    assert result.exit_code == 0, result.output
    return {k: v["value"] for k, v in json.loads(result.stdout).items()}


HOOK = """
import json, os
with open(os.environ["DEFECT_HOOK_LOG"], "a") as handle:
    handle.write(json.dumps(dict(os.environ)) + "\\n")
"""


def log_hook(project: Path, env: str, log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFECT_HOOK_LOG", str(log))
    script = project / "hook.py"
    script.write_text(HOOK)
    command = json.dumps([sys.executable, str(script)])
    append(config(project, env), f'hook "after_apply" {{\n  command = {command}\n}}')


def test_a_sensitive_upstream_output_is_not_promoted(cli: Cli, project: Path) -> None:
    replace(
        config(project, "staging"),
        '"app.image_tag" = "app.image_tag"',
        '"app.image_tag" = "network.token"',
    )
    assert cli("apply", "dev", "--yes").exit_code == 0
    promoted = cli("promote", "staging", "--yes")
    assert promoted.exit_code == 1, promoted.output
    assert "envman does not promote secrets" in promoted.stderr
    seen = [promoted, cli("history", "staging", "--json"), cli("status", "--json")]
    for text in [r.output for r in seen] + [ledger_text(project, "staging")]:
        assert NET_SECRET not in text


def test_sensitivity_survives_wiring(
    cli: Cli, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """data's `net_token` is wired from network's sensitive `token`: what data builds from
    it is as secret as the token, whatever data's own declarations say."""
    append(
        project / "stacks" / "data" / "main.tf",
        'output "conn" {\n  value = "db://${var.net_token}@x"\n}',
    )
    log = tmp_path / "hooks.log"
    log_hook(project, "dev", log, monkeypatch)
    applied = cli("apply", "dev", "--yes")
    assert applied.exit_code == 0, applied.output
    assert record(project, 1)["components"]["data"]["outputs"]["conn"] == {"sensitive": True}
    raw = cli("outputs", "dev", "data.conn", "--raw")
    assert raw.exit_code == 1 and "sensitive" in raw.stderr, raw.output
    seen = [applied, raw, cli("status", "dev", "--json"), cli("outputs", "dev", "--json")]
    seen += [cli("history", "dev", "--json")]
    for text in [r.output for r in seen] + [ledger_text(project), log.read_text()]:
        assert NET_SECRET not in text
    env = json.loads(log.read_text().splitlines()[-1])
    assert "ENVMAN_OUTPUT_CONN" not in env and "ENVMAN_OUTPUT_DATA_CONN" not in env


def test_hooks_never_get_tf_var_of_a_sensitive_variable_with_c(
    cli: Cli, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(
        project / "stacks" / "edge" / "main.tf",
        'variable "api_key" {\n  type      = string\n  sensitive = true\n  default   = "none"\n}',
    )
    monkeypatch.setenv("TF_VAR_api_key", "edge-api-key-7c3a")
    log = tmp_path / "hooks.log"
    log_hook(project, "dev", log, monkeypatch)
    # edge's variable is sensitive: a run of network alone must know it too
    applied = cli("apply", "dev", "-c", "network", "--yes")
    assert applied.exit_code == 0, applied.output
    env = json.loads(log.read_text().splitlines()[-1])
    assert env["ENVMAN_OUTPUT_VPC_ID"] == "vpc-10-0-0-0-16"
    assert "TF_VAR_api_key" not in env
    assert "edge-api-key-7c3a" not in log.read_text() + applied.output


def test_rollback_after_a_tfvars_change(cli: Cli, project: Path) -> None:
    assert cli("apply", "dev", "--yes").exit_code == 0
    (project / "environments" / "dev" / "data.tfvars").write_text('db_size = "large"\n')
    assert cli("apply", "dev", "--yes").exit_code == 0
    assert outputs(cli, "dev", "data")["db_size"] == "large"
    rolled = cli("rollback", "dev", "--yes")
    assert rolled.exit_code == 0, rolled.output
    assert "Nothing to rollback" not in rolled.stdout
    assert outputs(cli, "dev", "data")["db_size"] == "small"
    back = record(project, 3)
    assert (back["kind"], back["target_seq"], back["rollback_of"]) == ("rollback", 1, 2)
    assert record(project, 2)["status"] == "rolled_back"


def test_a_second_rollback_goes_further_back(cli: Cli, project: Path) -> None:
    assert cli("apply", "staging", "--yes").exit_code == 0
    assert cli("apply", "dev", "--yes").exit_code == 0
    for tag in ("v2", "v3"):
        assert cli("apply", "dev", "--yes", "--set", f"app.image_tag={tag}").exit_code == 0
        assert cli("promote", "staging", "--yes").exit_code == 0
    assert outputs(cli, "staging", "app")["image_tag"] == "v3"
    first = cli("rollback", "staging", "--yes")
    assert first.exit_code == 0, first.output
    assert outputs(cli, "staging", "app")["image_tag"] == "v2"
    assert record(project, 3, "staging")["status"] == "rolled_back"
    second = cli("rollback", "staging", "--yes")
    assert second.exit_code == 0, second.output
    assert outputs(cli, "staging", "app")["image_tag"] == "v0"  # not v3 again
    assert record(project, 5, "staging")["target_seq"] == 1


BAD_NAMES = ["../staging/edge", "a b", "x/y", ".", "c" * 250, "Edge"]


@pytest.mark.parametrize(
    "name", BAD_NAMES, ids=["dotdot", "space", "slash", "dot", "long", "upper"]
)
def test_component_names_are_identifiers(cli: Cli, project: Path, name: str) -> None:
    hcl = project / "envman.hcl"
    line = len(hcl.read_text().splitlines()) + 2
    append(hcl, f'component "{name}" {{\n  stack = "stacks/edge"\n}}')
    for args in (("validate", "dev"), ("plan", "dev"), ("apply", "dev", "--yes")):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert f"{hcl}:{line}" in result.output, (args, result.output)
        assert "internal error" not in result.output and "Traceback" not in result.output
    assert not (project / "state").exists()


def test_status_reconciles_an_interrupted_component_run(cli: Cli, project: Path) -> None:
    from envman.releases.ledger import Ledger
    from envman.releases.store_local import LocalStore

    assert cli("apply", "dev", "--yes", "-c", "network", "-c", "edge").exit_code == 0
    entries = record(project, 1)["components"]
    entries["edge"]["status"] = "applying"  # as if envman died while terraform applied edge
    Ledger(LocalStore(ledger(project)), "dev").update(
        1, {"status": "applying", "components": entries}
    )
    status = cli("status", "dev", "--json")
    assert status.exit_code == 0, status.output
    current = json.loads(status.stdout)["environments"][0]["current"]
    assert current is not None and (current["seq"], current["status"]) == (1, "applied")
    stored = record(project, 1)
    assert stored["status"] == "applied" and stored["reconciled_at"]
    assert stored["components"]["edge"]["status"] == "applied"


S3_BACKEND = """
backend "s3" {
  bucket       = "defects-tfstate"
  key          = "dev/{component}/terraform.tfstate"
  region       = "us-east-1"
  use_lockfile = true
}

aws {
  region       = "us-east-1"
  endpoint_url = "%s"
}
"""


@pytest.mark.aws
def test_unlock_reaches_a_component_lock(project: Path, cli: Cli, moto: str) -> None:
    for main in project.glob("stacks/*/main.tf"):
        replace(main, 'backend "local" {}', 'backend "s3" {}')
    config(project, "dev").write_text(S3_BACKEND % moto)
    s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1")
    s3.create_bucket(Bucket="defects-tfstate")
    assert cli("apply", "dev", "--yes", "-c", "network").exit_code == 0
    key = "dev/network/terraform.tfstate.tflock"
    lock = {
        "ID": "4f0a8c1e-0000-4000-8000-000000000001",
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": "someone@elsewhere",
        "Version": "1.11.4",
        "Created": "2026-01-01T00:00:00Z",
        "Path": "defects-tfstate/dev/network/terraform.tfstate",
    }
    s3.put_object(Bucket="defects-tfstate", Key=key, Body=json.dumps(lock).encode())
    # (a plan now would wait for the lock: envman's lock timeout is minutes)
    released = cli("unlock", "dev", lock["ID"], "-c", "network", "--confirm", "dev")
    assert released.exit_code == 0, released.output
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="defects-tfstate").get("Contents", [])}
    assert key not in keys
    assert cli("plan", "dev", "-c", "network").exit_code == 0


def test_a_pin_only_change_is_recorded(cli: Cli, project: Path) -> None:
    assert cli("apply", "dev", "--yes").exit_code == 0
    pinned = cli("apply", "dev", "--yes", "--set", "data.db_size=small", "--pin", "db_size")
    assert pinned.exit_code == 0, pinned.output
    assert "Nothing to apply" not in pinned.stdout
    assert record(project, 2)["components"]["data"]["inputs"] == {"db_size": "small"}
    status = json.loads(cli("status", "dev", "--json").stdout)["environments"][0]
    assert status["current"]["seq"] == 2


def test_addresses_are_shown_before_confirming(cli: Cli, project: Path) -> None:
    assert cli("apply", "dev", "--yes").exit_code == 0
    (project / "environments" / "dev" / "data.tfvars").write_text('db_size = "large"\n')
    unconfirmed = cli("apply", "dev")  # no terminal, no --yes: shown, then refused
    assert unconfirmed.exit_code == 3, unconfirmed.output
    assert "terraform_data.db" in unconfirmed.stdout, unconfirmed.stdout
    assert "--yes" in unconfirmed.stderr


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    server = Receiver()
    monkeypatch.setenv("DEFECT_SLACK", server.url + "/services/T0/B0/hook-secret")
    yield server
    server.close()


def test_break_glass_is_in_notifications(
    cli: Cli, project: Path, slack: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(
        config(project, "dev"),
        'protection {\n  deny_weekdays = ["Friday"]\n}\n'
        'notify "slack" {\n  webhook_url_env = "DEFECT_SLACK"\n}',
    )
    monkeypatch.setenv("ENVMAN_NOW", FRIDAY)
    refused = cli("apply", "dev", "-c", "edge", "--yes")
    assert refused.exit_code == 3, refused.output
    forced = cli("apply", "dev", "-c", "edge", "--yes", "--break-glass", "INC-7 fix")
    assert forced.exit_code == 0, forced.output
    assert record(project, 1)["break_glass"] == {
        "reason": "INC-7 fix",
        "rules": ["deny_weekdays:Friday"],
    }
    assert events(slack), slack.bodies
    message = json.dumps(slack.bodies)
    assert "BREAK-GLASS" in message and "INC-7 fix" in message
    assert "deny_weekdays:Friday" in message and "hook-secret" not in message


@pytest.fixture
def health() -> Iterator[Health]:
    server = Health()
    yield server
    server.close()


def test_verify_reads_component_outputs(cli: Cli, project: Path, health: Health) -> None:
    append(
        project / "stacks" / "edge" / "main.tf",
        f'output "health" {{\n  value = "{health.url}/edge"\n}}',
    )
    append(
        config(project, "dev"),
        'verify {\n  http "edge" {\n    url_output = "health"\n    timeout    = "2s"\n'
        '    interval   = "1s"\n  }\n}',
    )
    applied = cli("apply", "dev", "-c", "edge", "--yes")
    assert applied.exit_code == 0, applied.output
    assert record(project, 1)["status"] == "verified"
    again = cli("verify", "dev")
    assert again.exit_code == 0, again.output
    assert "verified → verified" in again.stdout
    assert health.paths.count("/edge") >= 2
    health.failing = {"/edge"}
    broken = cli("verify", "dev")
    assert broken.exit_code == 4, broken.output


def test_allow_destroy_is_honoured_on_promote_and_rollback(cli: Cli, project: Path) -> None:
    replace(
        project / "stacks" / "data" / "main.tf",
        "triggers_replace = [var.vpc_id, sha256(var.net_token)]",
        "triggers_replace = [var.vpc_id, sha256(var.net_token), var.db_size]",
    )
    staging = config(project, "staging")
    replace(staging, '{ "app.image_tag" = "app.image_tag" }', '{ "data.db_size" = "data.db_size" }')
    append(staging, 'guard {\n  prevent_destroy = ["terraform_data.db"]\n}')
    assert cli("apply", "staging", "--yes").exit_code == 0
    assert cli("apply", "dev", "--yes", "--set", "data.db_size=large").exit_code == 0
    refused = cli("promote", "staging", "--yes")
    assert refused.exit_code == 3 and "terraform_data.db" in refused.output, refused.output
    allowed = cli("promote", "staging", "--yes", "--allow-destroy", "terraform_data.db")
    assert allowed.exit_code == 0, allowed.output
    assert record(project, 2, "staging")["allow_destroy"] == ["terraform_data.db"]
    back = cli("rollback", "staging", "--yes")
    assert back.exit_code == 3 and "terraform_data.db" in back.output, back.output
    allowed_back = cli("rollback", "staging", "--yes", "--allow-destroy", "terraform_data.db")
    assert allowed_back.exit_code == 0, allowed_back.output
    assert record(project, 3, "staging")["allow_destroy"] == ["terraform_data.db"]
    assert outputs(cli, "staging", "data")["db_size"] == "small"


def test_promote_from_is_gated(cli: Cli, project: Path) -> None:
    itself = cli("promote", "staging", "--from", "staging", "--yes")
    assert itself.exit_code == 1 and "into itself" in itself.stderr, itself.output
    append(config(project, "staging"), "protection {\n  promotion_only = true\n}")
    assert cli("apply", "qa", "--yes").exit_code == 0
    other = cli("promote", "staging", "--from", "qa", "--yes")
    assert other.exit_code == 3, other.output
    assert "promoting from 'qa'" in other.stderr and "promotion_only" in other.stderr
    assert cli("destroy", "qa", "--confirm", "qa").exit_code == 0
    gone = cli("promote", "staging", "--from", "qa", "--yes", "--break-glass", "INC-1")
    assert gone.exit_code == 1, gone.output
    assert "destroyed by release #2" in gone.stderr
    assert not ledger(project, "staging").exists() or ledger_text(project, "staging") == ""


def test_pins_come_from_the_current_release_chain(cli: Cli, project: Path) -> None:
    from envman.releases.ledger import Ledger
    from envman.releases.store_local import LocalStore

    assert cli("apply", "staging", "--yes").exit_code == 0
    assert cli("apply", "dev", "--yes", "--set", "app.image_tag=v2").exit_code == 0
    assert cli("promote", "staging", "--yes").exit_code == 0  # #2 pins app.image_tag = v2
    books = Ledger(LocalStore(ledger(project, "staging")), "staging")
    edge = record(project, 1, "staging")["components"]["edge"]
    for _ in range(120):  # later releases of another component, written cheaply
        books.begin(kind="apply", status="applied", components={"edge": edge})
    app = {**record(project, 2, "staging")["components"]["app"], "status": "failed"}
    books.begin(
        kind="apply", status="failed", components={"app": {**app, "inputs": {"image_tag": "bad"}}}
    )
    planned = cli("plan", "staging", "-c", "app", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output  # the pin of #2 holds, the failed run's not
    status = json.loads(cli("status", "staging", "--json").stdout)["environments"][0]
    assert status["components"]["app"]["inputs"] == {"image_tag": "v2"}


def test_one_components_drift_error_does_not_hide_the_others(cli: Cli, project: Path) -> None:
    assert cli("apply", "dev", "--yes").exit_code == 0
    (project / "environments" / "dev" / "data.tfvars").write_text('db_size = "large"\n')
    (project / "state" / "dev" / "edge" / "terraform.tfstate").write_text("{ not a state")
    result = cli("drift", "dev", "--format", "json")
    assert result.exit_code == 1, result.output
    [row] = json.loads(result.stdout)["environments"]
    assert "edge" in (row["error"] or ""), row
    pending = {(c.get("component"), c["address"]) for c in row["pending_changes"]}
    assert ("data", "terraform_data.db") in pending, row


def test_validate_catches_promotion_problems_with_lines(cli: Cli, project: Path) -> None:
    staging, dev = config(project, "staging"), config(project, "dev")
    replace(staging, "promotion {\n", "promotion {\n  require_verified = true\n")
    replace(
        dev,
        'description = "Development"\n',
        'description = "Development"\nrelease_variables = ["nope"]\n',
    )
    append(dev, "protection {\n  promotion_only = true\n}")
    result = cli("validate")
    assert result.exit_code == 1, result.output
    lines = {
        (staging, "require_verified"): staging.read_text()
        .splitlines()
        .index("  require_verified = true")
        + 1,
        (dev, "release_variables"): 2,
        (dev, "promotion_only"): dev.read_text().splitlines().index("  promotion_only = true") + 1,
    }
    for (path, key), line in lines.items():
        assert f"{path}:{line}:" in result.output and key in result.output, (key, result.output)


def test_json_documents_match_the_single_stack(tmp_path: Path) -> None:
    need_terraform()
    documents: dict[str, list[dict[str, Any]]] = {}
    for shape in SHAPES:
        cli = make_project(shape, tmp_path / shape.name).cli
        runs = [
            cli("apply", "dev", "--yes", "--json"),
            cli("apply", "dev", "--yes", "--json"),  # nothing to do
            cli("apply", "dev", "--yes", "--json", "--set", "replicas=2", "--pin", "replicas"),
            cli("promote", "staging", "--dry-run", "--json"),
            cli("rollback", "dev", "--dry-run", "--json"),
        ]
        for run in runs:
            assert run.exit_code == 0, (shape.name, run.output)
        documents[shape.name] = [json.loads(run.stdout) for run in runs]
    for single, component in zip(documents["single"], documents["component"], strict=True):
        assert sorted(component) == sorted(single)
        for key in ("changed", "dry_run", "kind", "exit_code"):
            assert component.get(key) == single.get(key), key
    nothing = documents["component"][1]
    assert nothing["changed"] is False and nothing["release"] is None
