"""Record the drift golden corpus: real terraform + AWS provider against a moto server.

    .venv/bin/python scripts/record_drift_corpus.py [--stack patterns|companions] [--keep DIR]

Applies tests/fixtures/drift_patterns/stack (or, with ``--stack companions``,
tests/fixtures/drift_companions/stack and the cases of scripts/drift_companion_cases.py) on a
fresh moto server, then, per case, makes
changes behind terraform's back with boto3 and saves ``terraform show -json`` of a
refresh-only plan and of a normal plan as
``tests/fixtures/drift_corpus/<case>/{refresh.json,plan.json}`` (machine-specific parts
stripped). The expected classification of each case (``expected.json``) is written by hand:
the recorder never overwrites it. Cases build on each other in the order below.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # a script: the tests' moto helper lives at the repository root
from scripts import drift_companion_cases  # noqa: E402
from tests.moto_server import reset, start_moto_server  # noqa: E402

STACK = REPO / "tests" / "fixtures" / "drift_patterns" / "stack" / "main.tf"
COMPANIONS = REPO / "tests" / "fixtures" / "drift_companions" / "stack" / "main.tf"
CORPUS = REPO / "tests" / "fixtures" / "drift_corpus"
MIRROR = Path(os.environ.get("ENVMAN_PROVIDER_MIRROR", "/opt/tf-plugins"))
REGION = "us-east-1"


class Recorder:
    def __init__(self, folder: Path, url: str) -> None:
        self.folder = folder
        self.url = url
        rc = folder / "terraformrc"
        rc.write_text(
            "provider_installation {\n  filesystem_mirror {\n"
            f'    path = "{MIRROR}"\n    include = ["*/*/*"]\n  }}\n}}\n'
        )
        self.env = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(rc),
            "AWS_ENDPOINT_URL": url,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": REGION,
            "TF_IN_AUTOMATION": "1",
        }

    def tf(self, *args: str) -> str:
        done = subprocess.run(
            ["terraform", *args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"terraform {' '.join(args)} failed:\n{done.stderr}{done.stdout}")
        return done.stdout

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.url, region_name=REGION)

    def record(self, case: str) -> None:
        target = CORPUS / case
        target.mkdir(parents=True, exist_ok=True)
        for name, extra in (("refresh.json", ["-refresh-only"]), ("plan.json", [])):
            self.tf("plan", "-input=false", "-lock=false", *extra, "-out=case.tfplan")
            shown = json.loads(self.tf("show", "-json", "case.tfplan"))
            text = json.dumps(strip(shown, self.url), indent=1)  # terraform's key order
            (target / name).write_text(text + "\n")
        print(f"recorded {case}")


def strip(document: dict[str, Any], url: str) -> dict[str, Any]:
    """Drop what names this machine or run: the timestamp and the emulator's address."""
    document.pop("timestamp", None)
    text = json.dumps(document).replace(url, "http://127.0.0.1:5000")
    stripped: dict[str, Any] = json.loads(text)
    return stripped


def sg_id(rec: Recorder, name: str) -> str:
    groups = rec.client("ec2").describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [name]}]
    )["SecurityGroups"]
    return str(groups[0]["GroupId"])


def out_of_band(rec: Recorder) -> None:
    """What the e2e test does: SSH opened to the world, a queue attribute, a tag."""
    rec.client("ec2").authorize_security_group_ingress(
        GroupId=sg_id(rec, "dev-web"),
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    sqs = rec.client("sqs")
    url = sqs.get_queue_url(QueueName="dev-jobs")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "120"})
    rec.client("s3").put_bucket_tagging(
        Bucket="dev-patterns-data",
        Tagging={
            "TagSet": [
                {"Key": "env", "Value": "dev"},
                {"Key": "managed_by", "Value": "envman"},
                {"Key": "owner", "Value": "mallory"},
            ]
        },
    )


def sub_resources(rec: Recorder) -> None:
    """Changes to things managed by separate resources, and JSON rewritten by meaning only."""
    s3 = rec.client("s3")
    s3.put_bucket_versioning(
        Bucket="dev-patterns-data", VersioningConfiguration={"Status": "Suspended"}
    )
    iam = rec.client("iam")
    arn = next(
        p["Arn"]
        for p in iam.list_policies(Scope="Local")["Policies"]
        if p["PolicyName"] == "dev-queue-access"
    )
    current = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=current)["PolicyVersion"]["Document"]
    if isinstance(document, str):
        document = json.loads(document)
    iam.create_policy_version(
        PolicyArn=arn, PolicyDocument=json.dumps(document, indent=4), SetAsDefault=True
    )
    sqs = rec.client("sqs")
    url = sqs.get_queue_url(QueueName="dev-jobs")["QueueUrl"]
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"][
            "RedrivePolicy"
        ]
    )
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(policy, indent=2)}
    )
    rec.client("cloudwatch").put_metric_alarm(**alarm_with_threshold(rec, 50.0))


def alarm_with_threshold(rec: Recorder, threshold: float) -> dict[str, Any]:
    alarm = rec.client("cloudwatch").describe_alarms(AlarmNames=["dev-error-rate"])["MetricAlarms"][
        0
    ]
    keys = ("AlarmName", "ComparisonOperator", "EvaluationPeriods", "Metrics", "ActionsEnabled")
    return {**{k: alarm[k] for k in keys if k in alarm}, "Threshold": threshold}


def removed_rule(rec: Recorder) -> None:
    """An ingress rule managed by aws_security_group_rule revoked by hand."""
    rec.client("ec2").revoke_security_group_ingress(
        GroupId=sg_id(rec, "dev-web"),
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
            }
        ],
    )


def unmanaged_additions(rec: Recorder) -> None:
    """New things no resource manages, next to resources that manage similar ones."""
    rec.client("ec2").authorize_security_group_egress(
        GroupId=sg_id(rec, "dev-web"),
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
            }
        ],
    )  # the https ingress rule has this content: it must not account for an egress rule
    iam = rec.client("iam")
    iam.put_role_policy(
        RoleName="dev-worker",
        PolicyName="backdoor",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        ),
    )
    iam.attach_role_policy(
        RoleName="dev-worker", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    sqs = rec.client("sqs")
    url = sqs.get_queue_url(QueueName="dev-jobs-dlq")["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"managed_by": "someone-else"})  # a default tag
    rec.client("s3").put_bucket_policy(
        Bucket="dev-patterns-data",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "Public",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::dev-patterns-data/*",
                    }
                ],
            }
        ),
    )


def acl_entry(rec: Recorder) -> None:
    """SSH allowed from anywhere in the default network ACL (its rules are configured inline)."""
    ec2 = rec.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.20.0.0/16"]}])["Vpcs"][0]
    acls = ec2.describe_network_acls(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
            {"Name": "default", "Values": ["true"]},
        ]
    )["NetworkAcls"]
    ec2.create_network_acl_entry(
        NetworkAclId=acls[0]["NetworkAclId"],
        RuleNumber=200,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 22, "To": 22},
    )


CASES: list[tuple[str, Callable[[Recorder], None] | None, bool]] = [
    # (case, change behind terraform's back, apply first to start from a clean state)
    ("clean_first_apply", None, False),
    ("clean_after_refresh", None, True),
    ("out_of_band", out_of_band, True),
    ("sub_resources", sub_resources, True),
    ("removed_rule", removed_rule, True),
    ("unmanaged_additions", unmanaged_additions, True),
    ("acl_entry", acl_entry, True),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--stack", choices=("patterns", "companions"), default="patterns")
    parser.add_argument("cases", nargs="*", help="only these cases (default: all)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="drift-corpus-"))
    folder.mkdir(parents=True, exist_ok=True)
    for key, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test")):
        os.environ.setdefault(key, value)
    url, stop = start_moto_server()
    try:
        reset(url)
        companions = args.stack == "companions"
        shutil.copy(COMPANIONS if companions else STACK, folder / "main.tf")
        cases = drift_companion_cases.CASES if companions else CASES
        rec = Recorder(folder, url)
        rec.tf("init", "-input=false")
        rec.tf("apply", "-input=false", "-auto-approve")
        for case, change, apply_first in cases:
            if apply_first:
                rec.tf("apply", "-input=false", "-auto-approve")
            if change is not None:
                change(rec)
            if not args.cases or case in args.cases:
                rec.record(case)
    finally:
        stop()
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
