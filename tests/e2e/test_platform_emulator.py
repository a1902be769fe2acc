"""The slow one: the full example platform (`local` environment) applied on the emulator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pytest

from tests.helpers import Cli, need_terraform

pytestmark = [pytest.mark.slow, pytest.mark.aws]
REPO = Path(__file__).resolve().parents[2]


def test_local_environment_applies_whole_platform_and_plans_clean(
    tmp_path: Path, moto: str, provider_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_terraform()
    project = tmp_path / "platform"
    for part in ("terraform", "modules", "scripts"):
        shutil.copytree(
            REPO / part, project / part, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*")
        )
    shutil.copytree(REPO / "environments" / "local", project / "environments" / "local")
    hcl = project / "environments" / "local" / "environment.hcl"
    hcl.write_text(hcl.read_text().replace("http://127.0.0.1:4566", moto))
    monkeypatch.setenv("ENVMAN_PROVIDER_MIRROR", str(provider_mirror))
    cli = Cli(project)

    assert cli("validate", "local").exit_code == 0
    boot = cli("bootstrap", "local")
    assert boot.exit_code == 0, boot.output
    applied = cli(  # --pin: only the whole project's promotion variables are carried by default
        "apply",
        "local",
        "--set",
        "backend_image_tag=abc1234",
        "--pin",
        "backend_image_tag",
        "--yes",
    )
    assert applied.exit_code == 0, applied.output
    again = cli("plan", "local", "--detailed-exitcode")
    assert again.exit_code == 0, again.output  # a second plan is clean on the emulator
    drift = cli("drift", "local", "--format", "json")
    local = json.loads(drift.stdout)["environments"][0] if drift.stdout else {}
    assert (drift.exit_code, local.get("status"), local.get("findings")) == (0, "in_sync", []), (
        drift.output  # right after a clean apply: no provider noise reported as drift
    )

    outputs = json.loads(cli("outputs", "local", "--json").stdout)
    assert outputs["backend_image_tag"]["value"] == "abc1234"
    for name in (
        "health_url",
        "ecs_cluster_name",
        "ecs_service_name",
        "cloudfront_distribution_id",
        "frontend_bucket",
        "frontend_release",
    ):
        assert outputs[name]["value"], name
    ecs = boto3.client("ecs", endpoint_url=moto, region_name="us-east-1")
    service = ecs.describe_services(
        cluster=outputs["ecs_cluster_name"]["value"],
        services=[outputs["ecs_service_name"]["value"]],
    )
    task_definition = ecs.describe_task_definition(
        taskDefinition=service["services"][0]["taskDefinition"]
    )["taskDefinition"]
    assert task_definition["containerDefinitions"][0]["image"].endswith(":abc1234")
    s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="envman-local-tfstate")["Contents"]}
    assert "local/terraform.tfstate" in keys
