"""The example CDK Terrain app (examples/cdk) planned and applied on the emulator (S3 backend,
the AWS provider from the mirror), and promoted between its two environments."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pytest

from tests.e2e.test_cdk import need_cdk
from tests.helpers import Cli, need_terraform

pytestmark = pytest.mark.aws
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cdk"


@pytest.fixture
def example(
    tmp_path: Path, moto: str, provider_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> Cli:
    need_terraform()
    need_cdk()
    monkeypatch.setenv("ENVMAN_PROVIDER_MIRROR", str(provider_mirror))
    project = tmp_path / "cdk"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".envman", "__pycache__"))
    for hcl in project.glob("environments/*/environment.hcl"):
        hcl.write_text(hcl.read_text().replace("http://127.0.0.1:4566", moto))
    return Cli(project)


def test_example_app_applies_and_promotes_on_the_emulator(example: Cli, moto: str) -> None:
    bootstrapped = example("bootstrap", "dev")  # docs/cdk.md's steps: the state bucket first
    assert bootstrapped.exit_code == 0, bootstrapped.output
    assert example("validate").exit_code == 0
    applied = example("apply", "dev", "--set", "backend_image_tag=v7", "--yes")
    assert applied.exit_code == 0, applied.output
    promoted = example("promote", "--yes")
    assert promoted.exit_code == 0, promoted.output

    ssm = boto3.client("ssm", endpoint_url=moto)
    for env, tag in (("dev", "v7"), ("staging", "v7")):
        name = f"/agentic-deals/{env}/backend_image_tag"
        assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == tag
    s3 = boto3.client("s3", endpoint_url=moto)
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {"agentic-deals-dev-release-notes", "agentic-deals-staging-release-notes"} <= buckets
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="envman-local-tfstate")["Contents"]}
    assert {"cdk/dev/terraform.tfstate", "cdk/staging/terraform.tfstate"} <= keys
    assert not list(example.project.rglob("terraform.releases.tfstate"))  # the app's default

    outputs = json.loads(example("outputs", "staging", "--json").stdout)
    assert outputs["backend_image_tag"]["value"] == "v7"
    assert outputs["frontend_parameter"]["value"] == "/agentic-deals/staging/frontend_release"
    assert example("plan", "staging", "--detailed-exitcode").exit_code == 0  # pinned, in sync
