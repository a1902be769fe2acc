"""The real path: the AWS provider (from the mirror) and the S3 backend against a moto server."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tests.helpers import Cli, copy_fixture, need_terraform

pytestmark = pytest.mark.aws
STATE_BUCKET = "envman-test-tfstate"


def aws_project(tmp_path: Path, endpoint: str) -> Path:
    need_terraform()
    project = copy_fixture("aws_basic", tmp_path)
    for hcl in project.glob("environments/*/environment.hcl"):
        hcl.write_text(hcl.read_text().replace("@ENDPOINT@", endpoint))
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
        Bucket=STATE_BUCKET
    )
    return project


@pytest.fixture
def aws_cli(
    tmp_path: Path, moto: str, provider_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> Cli:
    monkeypatch.setenv("ENVMAN_PROVIDER_MIRROR", str(provider_mirror))
    return Cli(aws_project(tmp_path, moto))


def test_apply_on_emulator_with_s3_backend_and_promotion_flow(aws_cli: Cli, moto: str) -> None:
    s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1")
    applied = aws_cli("apply", "staging", "--set", "image_tag=v2", "--yes")
    assert applied.exit_code == 0, applied.output
    # the state object landed in the emulator's bucket, the release next to it
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=STATE_BUCKET)["Contents"]}
    assert "staging/terraform.tfstate" in keys
    assert "staging/terraform.tfstate.releases/00000001.json" in keys
    # resources really exist in the emulator
    ssm = boto3.client("ssm", endpoint_url=moto, region_name="us-east-1")
    assert ssm.get_parameter(Name="/staging/image_tag")["Parameter"]["Value"] == "v2"
    ecs = boto3.client("ecs", endpoint_url=moto, region_name="us-east-1")
    assert ecs.describe_clusters(clusters=["envman-staging"])["clusters"][0]["status"] == "ACTIVE"
    assert aws_cli("plan", "staging", "--detailed-exitcode").exit_code == 0

    promoted = aws_cli("promote", "--confirm", "production")
    assert promoted.exit_code == 0, promoted.output
    outputs = json.loads(aws_cli("outputs", "production", "--json").stdout)
    assert outputs["image_tag"]["value"] == "v2"
    history = json.loads(aws_cli("history", "production", "--json").stdout)
    assert history[0]["kind"] == "promote"
    assert history[0]["source"]["environment"] == "staging"
    assert history[0]["source"]["seq"] == 1
    assert history[0]["source"]["lineage"]

    assert aws_cli("apply", "staging", "--set", "image_tag=v3", "--yes").exit_code == 0
    assert aws_cli("promote", "production", "--confirm", "production").exit_code == 0
    assert ssm.get_parameter(Name="/production/image_tag")["Parameter"]["Value"] == "v3"
    rolled = aws_cli("rollback", "production", "--confirm", "production")
    assert rolled.exit_code == 0, rolled.output
    assert ssm.get_parameter(Name="/production/image_tag")["Parameter"]["Value"] == "v2"
    history = json.loads(aws_cli("history", "production", "--json").stdout)
    assert [h["kind"] for h in history] == ["rollback", "promote", "promote"]
    assert history[0]["target_seq"] == 1
    assert aws_cli("plan", "production", "--detailed-exitcode").exit_code == 0
