"""verify { ecs_stable } and the CloudFront invalidation against a real ECS service on moto."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.helpers import Cli, copy_fixture, need_terraform

pytestmark = pytest.mark.aws


def distribution(moto: str) -> str:
    cloudfront = boto3.client("cloudfront", endpoint_url=moto, region_name="us-east-1")
    origin = {
        "Id": "site",
        "DomainName": "site.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    config = {
        "CallerReference": f"ops-{time.time()}",
        "Comment": "ops test",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "site",
            "ViewerProtocolPolicy": "allow-all",
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
        },
    }
    created = cloudfront.create_distribution(DistributionConfig=config)  # type: ignore[arg-type]
    return str(created["Distribution"]["Id"])


def last(cli: Cli) -> dict[str, Any]:
    return dict(json.loads(cli("history", "demo", "--json").stdout)[0])


def test_ecs_stable_and_cloudfront_invalidation(
    tmp_path: Path, moto: str, provider_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_terraform()
    monkeypatch.setenv("ENVMAN_PROVIDER_MIRROR", str(provider_mirror))
    project = copy_fixture("ops_ecs", tmp_path)
    config = project / "environments" / "demo" / "environment.hcl"
    config.write_text(config.read_text().replace("MOTO_URL", moto))
    dist = distribution(moto)
    (config.parent / "terraform.tfvars").write_text(f'cloudfront_distribution_id = "{dist}"\n')
    cli = Cli(project)
    tfvars = config.parent / "terraform.tfvars"
    tfvars.write_text(tfvars.read_text() + "desired_count = 1\n")

    # one task wanted, none running on the emulator: not stable within ecs_timeout
    first = cli("apply", "demo", "--yes")
    assert first.exit_code == 4, first.output
    release = last(cli)
    assert release["status"] == "verify_failed"
    [ecs] = release["verification"]["checks"]
    assert (ecs["kind"], ecs["ok"], ecs["cluster"], ecs["services"]) == (
        "ecs_stable",
        False,
        "ops-ecs",
        ["ops-app"],
    )
    assert "not stable" in ecs["detail"] and "running 0/1" in ecs["detail"]
    assert cli("verify", "demo").exit_code == 4

    # the task comes up (moto: an update makes runningCount = desiredCount): verify passes
    ecs_client = boto3.client("ecs", endpoint_url=moto, region_name="us-east-1")
    ecs_client.update_service(cluster="ops-ecs", service="ops-app", desiredCount=1)
    rerun = cli("verify", "demo")
    assert rerun.exit_code == 0, rerun.output
    assert "ok   ecs_stable ecs" in rerun.stdout
    assert "verify_failed → verified" in rerun.stdout
    assert last(cli)["status"] == "verified"

    # a new frontend release: /* is invalidated and recorded as a check
    second = cli("apply", "demo", "--set", "frontend_release=f2", "--yes")
    assert second.exit_code == 0, second.output
    checks = {c["kind"]: c for c in last(cli)["verification"]["checks"]}
    assert checks["ecs_stable"]["ok"] is True
    assert checks["cloudfront_invalidation"]["ok"] is True, checks
    assert "f1 → f2" in checks["cloudfront_invalidation"]["detail"]
    cloudfront = boto3.client("cloudfront", endpoint_url=moto, region_name="us-east-1")
    assert cloudfront.list_invalidations(DistributionId=dist)["InvalidationList"]["Quantity"] == 1

    # re-verifying does not invalidate again
    assert cli("verify", "demo").exit_code == 0
    assert cloudfront.list_invalidations(DistributionId=dist)["InvalidationList"]["Quantity"] == 1
