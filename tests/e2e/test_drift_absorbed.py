"""Drift an apply cannot revert is never absorbed silently (issue 26), end to end: real
terraform, the AWS provider on moto, the local backend (tests/fixtures/drift_absorbed).

An SSH entry opened by hand on a network ACL whose entries are separate resources, and an
alarm threshold changed: `envman apply --plan` (of a saved plan) reverts the alarm, says before confirming that it
keeps the SSH entry and records it in the release; `envman drift` keeps reporting it after
that apply and after a no-op apply, until it is removed by hand (then quiet).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.helpers import Cli, copy_fixture, need_terraform

pytestmark = [pytest.mark.aws]


@pytest.fixture
def project(
    tmp_path: Path, moto: str, provider_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    need_terraform()
    monkeypatch.setenv("ENVMAN_PROVIDER_MIRROR", str(provider_mirror))
    project = copy_fixture("drift_absorbed", tmp_path)
    hcl = project / "environments" / "dev" / "environment.hcl"
    hcl.write_text(hcl.read_text().replace("__MOTO_URL__", moto))
    return project


def ec2(moto: str) -> Any:
    make: Any = boto3.client
    return make("ec2", endpoint_url=moto, region_name="us-east-1")


def acl_id(moto: str) -> str:
    vpc = ec2(moto).describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.40.0.0/16"]}])
    acls = ec2(moto).describe_network_acls(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc["Vpcs"][0]["VpcId"]]},
            {"Name": "default", "Values": ["false"]},
        ]
    )
    return str(acls["NetworkAcls"][0]["NetworkAclId"])


def drift(cli: Cli) -> tuple[int, dict[str, Any]]:
    result = cli("drift", "dev", "--format", "json")
    assert result.exit_code in (0, 2), result.output
    return result.exit_code, json.loads(result.stdout)["environments"][0]


def test_an_ssh_entry_the_apply_keeps_is_said_recorded_and_still_reported(
    project: Path, moto: str
) -> None:
    cli = Cli(project)
    assert cli("apply", "dev", "--yes").exit_code == 0
    assert drift(cli)[0] == 0  # a clean first apply is quiet

    ec2(moto).create_network_acl_entry(
        NetworkAclId=acl_id(moto),
        RuleNumber=130,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 22, "To": 22},
    )
    cloudwatch: Any = boto3.client
    alarms = cloudwatch("cloudwatch", endpoint_url=moto, region_name="us-east-1")
    alarm = alarms.describe_alarms(AlarmNames=["dev-absorbed-errors"])["MetricAlarms"][0]
    keys = ("AlarmName", "ComparisonOperator", "EvaluationPeriods", "MetricName", "Namespace")
    alarms.put_metric_alarm(
        **{k: alarm[k] for k in keys}, Period=60, Statistic="Sum", Threshold=50.0
    )

    code, before = drift(cli)
    assert code == 2
    ssh = next(f for f in before["findings"] if f["address"] == "aws_network_acl.main")
    assert (ssh["attribute"], ssh["change"], ssh["actionable"]) == ("ingress", "added", False)

    assert cli("plan", "dev").exit_code == 0  # the saved plan remembers its drift
    applied = cli("apply", "dev", "--plan", "--yes")  # reverts the alarm, keeps the SSH entry
    assert applied.exit_code == 0, applied.output
    said = [line for line in applied.stderr.splitlines() if "keeps drift" in line]
    assert len(said) == 1
    assert "aws_network_acl.main ingress (added)" in said[0] and ssh["fingerprint"] in said[0]
    history = cli("history", "dev", "--json")
    latest = max(json.loads(history.stdout), key=lambda r: r["seq"])
    assert latest["absorbed_drift"] == [
        {
            "address": "aws_network_acl.main",
            "attribute": "ingress",
            "change": "added",
            "fingerprint": ssh["fingerprint"],
        }
    ]

    for round_ in range(2):  # after the apply that wrote it into state, after a no-op apply
        code, after = drift(cli)
        assert code == 2
        assert [(f["address"], f["attribute"], f["fingerprint"]) for f in after["findings"]] == [
            ("aws_network_acl.main", "ingress", ssh["fingerprint"])
        ]
        assert after["findings"][0]["actual"]["from_port"] == 22
        if round_ == 0:
            nothing = cli("apply", "dev", "--yes")
            assert nothing.exit_code == 0 and "Nothing to apply" in nothing.output

    ec2(moto).delete_network_acl_entry(NetworkAclId=acl_id(moto), RuleNumber=130, Egress=False)
    code, gone = drift(cli)  # removed by hand: quiet again
    assert (code, gone["status"], gone["findings"]) == (0, "in_sync", [])
