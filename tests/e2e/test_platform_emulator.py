"""The slow one: the example platform (five components, `local` environment) on the emulator.

One environment keeps the suite's time: a first build as a graph, a clean second plan, drift
in sync, and a promotion that plans and applies `app` alone. The promotion's source is a second
environment whose `app` state holds the image staging would run (its state is put into the
emulator's S3 as terraform writes it: building a second platform would double the test).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.helpers import Cli, need_terraform, shows_change

pytestmark = [pytest.mark.slow, pytest.mark.aws]
REPO = Path(__file__).resolve().parents[2]
BUCKET = "envman-local-tfstate"
PROMOTION = """
promotion {
  from      = "ci"
  variables = { "app.backend_image_tag" = "app.backend_image_tag" }
}
"""


def _project(tmp_path: Path, moto: str) -> Path:
    project = tmp_path / "platform"
    for part in ("terraform", "modules", "scripts"):
        shutil.copytree(
            REPO / part, project / part, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*")
        )
    shutil.copy(REPO / "envman.hcl", project / "envman.hcl")
    local = project / "environments" / "local"
    shutil.copytree(REPO / "environments" / "local", local)
    hcl = local / "environment.hcl"
    hcl.write_text(hcl.read_text().replace("http://127.0.0.1:4566", moto) + PROMOTION)
    ci = project / "environments" / "ci"
    shutil.copytree(local, ci)
    (ci / "environment.hcl").write_text(
        hcl.read_text().replace('"local/{component}', '"ci/{component}').replace(PROMOTION, "")
    )
    return project


def _source_app_state(moto: str, image_tag: str) -> None:
    """The state terraform keeps for `ci`'s app component: its outputs are what promote reads."""
    state = {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 1,
        "lineage": "6a0f3c5e-0000-4000-8000-00000000c1c1",
        "outputs": {"backend_image_tag": {"value": image_tag, "type": "string"}},
        "resources": [],
        "check_results": None,
    }
    s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1")
    s3.put_object(Bucket=BUCKET, Key="ci/app/terraform.tfstate", Body=json.dumps(state).encode())


def _record(moto: str, seq: int) -> dict[str, Any]:
    s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1")
    key = f"local/terraform.tfstate.releases/{seq:08d}.json"
    data: dict[str, Any] = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    return data


def _image(moto: str, outputs: dict[str, Any]) -> str:
    ecs = boto3.client("ecs", endpoint_url=moto, region_name="us-east-1")
    service = ecs.describe_services(
        cluster=outputs["ecs_cluster_name"]["value"],
        services=[outputs["ecs_service_name"]["value"]],
    )
    definition = ecs.describe_task_definition(
        taskDefinition=service["services"][0]["taskDefinition"]
    )["taskDefinition"]
    image: str = definition["containerDefinitions"][0]["image"]
    return image


def test_split_platform_builds_as_a_graph_plans_clean_and_promotes_only_app(
    tmp_path: Path, moto: str, provider_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_terraform()
    monkeypatch.setenv("ENVMAN_PROVIDER_MIRROR", str(provider_mirror))
    cli = Cli(_project(tmp_path, moto))
    assert cli("validate").exit_code == 0
    assert cli("bootstrap", "local").exit_code == 0

    applied = cli("apply", "local", "--set", "app.backend_image_tag=abc1234", "--yes")
    assert applied.exit_code == 0, applied.output
    # network and edge have no upstream: planned at once; the rest after their upstreams apply
    assert "data: planned after network applies" in applied.stdout
    assert "monitoring: planned after app, data applies" in applied.stdout
    first = _record(moto, 1)
    assert first["schema"] == 2 and first["status"] == "applied"
    assert {n: e["status"] for n, e in first["components"].items()} == dict.fromkeys(
        ("network", "data", "app", "edge", "monitoring"), "applied"
    )
    # the promoted variable is pinned per component (promotion.variables are carried)
    assert first["components"]["app"]["inputs"] == {"backend_image_tag": "abc1234"}

    again = cli("plan", "local", "--detailed-exitcode")
    assert again.exit_code == 0, again.output  # a second plan is clean on the emulator
    drift = cli("drift", "local", "--format", "json")
    local = json.loads(drift.stdout)["environments"][0] if drift.stdout else {}
    assert (drift.exit_code, local.get("status"), local.get("findings")) == (0, "in_sync", []), (
        drift.output  # right after a clean apply: no provider noise reported as drift
    )

    outputs = json.loads(cli("outputs", "local", "--json").stdout)
    assert set(outputs) == {"network", "data", "app", "edge", "monitoring"}
    for component, name in (
        ("app", "health_url"),
        ("edge", "cloudfront_distribution_id"),
        ("edge", "frontend_bucket"),
        ("data", "db_endpoint"),
        ("monitoring", "alarm_topic_arn"),
    ):
        assert outputs[component][name]["value"], name
    assert _image(moto, outputs["app"]).endswith(":abc1234")

    _source_app_state(moto, "def5678")
    promoted = cli("promote", "local", "--yes")
    assert promoted.exit_code == 0, promoted.output
    assert shows_change(promoted.stdout, "app.backend_image_tag", "abc1234", "def5678")
    assert "monitoring: not planned (its inputs do not change)" in promoted.stdout
    for other in ("network:", "data:", "edge:"):
        assert other not in promoted.stdout, promoted.stdout  # never planned
    record = _record(moto, 2)
    assert record["kind"] == "promote" and record["source"]["environment"] == "ci"
    assert {n: e["status"] for n, e in record["components"].items()} == {"app": "applied"}
    outputs = json.loads(cli("outputs", "local", "-c", "app", "--json").stdout)
    assert _image(moto, outputs).endswith(":def5678")
    s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {f"local/{n}/terraform.tfstate" for n in ("network", "data", "app")} <= keys
