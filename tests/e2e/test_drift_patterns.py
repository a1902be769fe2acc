"""Drift on the patterns that made it cry wolf or miss things (issue 14), end to end: real
terraform, the AWS provider on moto, the local backend (tests/fixtures/drift_patterns).

Security-group rules as separate resources (protocol -1 too), SQS with a JSON redrive policy,
an S3 bucket configured through sub-resources, IAM attachments, a metric-math alarm, default
tags. One apply (~25 s) and three `envman drift` runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from envman.drift.report import render
from envman.terraform.runner import Completed, Terraform
from tests.helpers import Cli, copy_fixture, need_terraform

pytestmark = [pytest.mark.aws]


@pytest.fixture
def project(
    tmp_path: Path, moto: str, provider_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    need_terraform()
    monkeypatch.setenv("ENVMAN_PROVIDER_MIRROR", str(provider_mirror))
    project = copy_fixture("drift_patterns", tmp_path)
    hcl = project / "environments" / "dev" / "environment.hcl"
    hcl.write_text(hcl.read_text().replace("__MOTO_URL__", moto))
    return project


def client(moto: str, service: str) -> Any:
    make: Any = boto3.client  # the service name is a variable: no typed overload applies
    return make(service, endpoint_url=moto, region_name="us-east-1")


def terraform_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The terraform subcommands envman runs from now on (they still run for real)."""
    calls: list[str] = []
    original = Terraform.run

    def spy(self: Terraform, args: Any, **kwargs: Any) -> Completed:
        calls.append(str(args[0]))
        return original(self, args, **kwargs)

    monkeypatch.setattr(Terraform, "run", spy)
    return calls


def drift(cli: Cli) -> tuple[int, dict[str, Any]]:
    result = cli("drift", "dev", "--format", "json")
    assert result.exit_code in (0, 2), result.output
    return result.exit_code, json.loads(result.stdout)["environments"][0]


def change_behind_terraforms_back(moto: str) -> None:
    ec2 = client(moto, "ec2")
    group = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["dev-web"]}])
    ec2.authorize_security_group_ingress(
        GroupId=group["SecurityGroups"][0]["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    sqs = client(moto, "sqs")
    url = sqs.get_queue_url(QueueName="dev-jobs")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "120"})
    tags = [("env", "dev"), ("managed_by", "envman"), ("owner", "mallory")]
    client(moto, "s3").put_bucket_tagging(
        Bucket="dev-patterns-data",
        Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags]},
    )


def test_patterns_in_sync_after_apply_then_each_change_found_once(
    project: Path, moto: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(project)
    applied = cli("apply", "dev", "--yes")
    assert applied.exit_code == 0, applied.output

    # right after a clean apply: sub-resources appearing on their parents, protocol -1 ports,
    # nulls read back as zero values, JSON rewritten with other whitespace: none is drift
    code, dev = drift(cli)
    assert (code, dev["status"], dev["findings"], dev["pending_changes"]) == (0, "in_sync", [], [])
    assert dev["counts"]["normalised"] > 0

    change_behind_terraforms_back(moto)
    calls = terraform_calls(monkeypatch)
    code, dev = drift(cli)
    assert code == 2 and dev["status"] == "drifted"
    assert [c for c in calls if c != "init"] == ["plan", "show"]  # one plan, one show -json
    found = {(f["address"], f["attribute"], f["change"]): f for f in dev["findings"]}
    assert sorted(found) == [
        ("aws_s3_bucket.data", "tags.owner", "update"),
        ("aws_security_group.web", "ingress", "added"),
        ("aws_sqs_queue.jobs", "visibility_timeout_seconds", "update"),
    ]
    ssh = found[("aws_security_group.web", "ingress", "added")]
    assert ssh["expected"] is None and ssh["actionable"] is False  # no resource would remove it
    assert (ssh["actual"]["from_port"], ssh["actual"]["to_port"]) == (22, 22)
    assert ssh["actual"]["cidr_blocks"] == ["0.0.0.0/0"] and ssh["actual"]["protocol"] == "tcp"
    queue = found[("aws_sqs_queue.jobs", "visibility_timeout_seconds", "update")]
    assert (queue["expected"], queue["actual"], queue["actionable"]) == (30, 120, True)
    tag = found[("aws_s3_bucket.data", "tags.owner", "update")]
    assert (tag["expected"], tag["actual"], tag["actionable"]) == (None, "mallory", True)
    assert all(f["new"] for f in dev["findings"])
    text = render("text", {"checked_at": "now", "environments": [dev]})
    assert "ingress (added)" in text and '"from_port": 22' in text and "0.0.0.0/0" in text

    # the same drift again: the same findings, none of them new
    again_code, again = drift(cli)
    assert again_code == 2
    assert sorted(f["fingerprint"] for f in again["findings"]) == sorted(
        f["fingerprint"] for f in dev["findings"]
    )
    assert not any(f["new"] for f in again["findings"]) and again["counts"]["new"] == 0
