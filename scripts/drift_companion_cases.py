"""Out-of-band changes of the companions corpus (tests/fixtures/drift_companions), for
scripts/record_drift_corpus.py --stack companions. Cases build on each other in this order."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol


class Recording(Protocol):
    def client(self, service: str) -> Any: ...


def _vpc(rec: Recording) -> str:
    vpcs = rec.client("ec2").describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.30.0.0/16"]}])
    return str(vpcs["Vpcs"][0]["VpcId"])


def _acl(rec: Recording) -> str:
    acls = rec.client("ec2").describe_network_acls(
        Filters=[
            {"Name": "vpc-id", "Values": [_vpc(rec)]},
            {"Name": "default", "Values": ["false"]},
        ]
    )["NetworkAcls"]
    return str(acls[0]["NetworkAclId"])


def _group(rec: Recording, name: str) -> str:
    groups = rec.client("ec2").describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [name]}]
    )["SecurityGroups"]
    return str(groups[0]["GroupId"])


def _entry(rec: Recording, number: int, protocol: str, ports: tuple[int, int] | None) -> None:
    extra: dict[str, Any] = {"PortRange": {"From": ports[0], "To": ports[1]}} if ports else {}
    rec.client("ec2").create_network_acl_entry(
        NetworkAclId=_acl(rec),
        RuleNumber=number,
        Protocol=protocol,
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        **extra,
    )


def nacl_world_open(rec: Recording) -> None:
    """The two rules round 1 missed: inbound allow-all (-1 from 0.0.0.0/0, next to an egress
    allow-all rule resource) and inbound TCP 0-65535 (next to the 1024-65535 return rule)."""
    _entry(rec, 90, "-1", None)
    _entry(rec, 120, "6", (0, 65535))


def nacl_reverted(rec: Recording) -> None:
    """Both rules deleted again by hand, before any apply: quiet."""
    for number in (90, 120):
        rec.client("ec2").delete_network_acl_entry(
            NetworkAclId=_acl(rec), RuleNumber=number, Egress=False
        )


def policy_statements(rec: Recording) -> None:
    """A statement added to the bucket policy and another's principal opened; a statement
    added to the role's inline policy."""
    s3 = rec.client("s3")
    policy = json.loads(s3.get_bucket_policy(Bucket="dev-companions-data")["Policy"])
    for statement in policy["Statement"]:
        if statement.get("Sid") == "AppRead":
            statement["Principal"] = "*"
    policy["Statement"].append(
        {
            "Sid": "Everything",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::dev-companions-data/*",
        }
    )
    s3.put_bucket_policy(Bucket="dev-companions-data", Policy=json.dumps(policy))
    iam = rec.client("iam")
    inline = iam.get_role_policy(RoleName="dev-app", PolicyName="logs")["PolicyDocument"]
    if isinstance(inline, str):
        inline = json.loads(inline)
    inline["Statement"].append({"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"})
    iam.put_role_policy(RoleName="dev-app", PolicyName="logs", PolicyDocument=json.dumps(inline))


def unmanaged_companions(rec: Recording) -> None:
    """Elements no companion manages, each next to similar managed ones, and one managed
    change (the alarm's threshold) that an apply reverts."""
    _entry(rec, 130, "6", (22, 22))
    ec2 = rec.client("ec2")
    ec2.authorize_security_group_ingress(
        GroupId=_group(rec, "dev-app"),
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    ec2.authorize_security_group_egress(
        GroupId=_group(rec, "dev-alb"),
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    tables = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [_vpc(rec)]},
            {"Name": "association.main", "Values": ["false"]},
        ]
    )["RouteTables"]
    gateway = next(r["GatewayId"] for r in tables[0]["Routes"] if r.get("GatewayId", "") != "local")
    ec2.create_route(
        RouteTableId=tables[0]["RouteTableId"],
        DestinationCidrBlock="192.168.0.0/16",
        GatewayId=gateway,
    )
    iam = rec.client("iam")
    arn = next(
        p["Arn"]
        for p in iam.list_policies(Scope="Local")["Policies"]
        if p["PolicyName"] == "dev-app"
    )
    iam.attach_role_policy(RoleName="dev-app", PolicyArn=arn)
    cloudwatch = rec.client("cloudwatch")
    alarm = cloudwatch.describe_alarms(AlarmNames=["dev-companions-errors"])["MetricAlarms"][0]
    keys = (
        "AlarmName",
        "ComparisonOperator",
        "EvaluationPeriods",
        "MetricName",
        "Namespace",
        "Period",
        "Statistic",
        "ActionsEnabled",
    )
    cloudwatch.put_metric_alarm(**{k: alarm[k] for k in keys if k in alarm}, Threshold=50.0)


def removed_by_hand(rec: Recording) -> None:
    """What the apply absorbed, removed by hand again: quiet."""
    ec2 = rec.client("ec2")
    ec2.delete_network_acl_entry(NetworkAclId=_acl(rec), RuleNumber=130, Egress=False)
    ec2.revoke_security_group_ingress(
        GroupId=_group(rec, "dev-app"),
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    ec2.revoke_security_group_egress(
        GroupId=_group(rec, "dev-alb"),
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    tables = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [_vpc(rec)]},
            {"Name": "association.main", "Values": ["false"]},
        ]
    )["RouteTables"]
    ec2.delete_route(RouteTableId=tables[0]["RouteTableId"], DestinationCidrBlock="192.168.0.0/16")
    iam = rec.client("iam")
    arn = next(
        p["Arn"]
        for p in iam.list_policies(Scope="Local")["Policies"]
        if p["PolicyName"] == "dev-app"
    )
    iam.detach_role_policy(RoleName="dev-app", PolicyArn=arn)


CASES: list[tuple[str, Callable[[Any], None] | None, bool]] = [
    # (case, change behind terraform's back, apply first to start from a clean state)
    ("companions_clean_first_apply", None, False),
    ("companions_noop_apply", None, True),
    ("companions_nacl_world_open", nacl_world_open, True),
    ("companions_nacl_reverted", nacl_reverted, False),
    ("companions_policy_statements", policy_statements, True),
    ("companions_unmanaged", unmanaged_companions, True),
    ("companions_absorbed_after_apply", None, True),
    ("companions_removed_by_hand", removed_by_hand, False),
]
