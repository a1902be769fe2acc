"""Drift detection end to end: real terraform, the AWS provider and the S3 backend on moto.

One applied stack per test (applies cost ~20 s), changed behind terraform's back with boto3.
Each `envman drift` of this stack costs ~9 s (two plans, two `show -json`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from envman.drift.report import render
from tests.helpers import Cli, copy_fixture, need_terraform
from tests.moto_server import free_port

pytestmark = pytest.mark.aws  # against a moto server
BUCKET = "drift-tfstate"
SECRET = "canary-secret-5e1f0a"  # the SecureString's value (a sensitive variable)
NEW_SECRET = "leaked-new-secret-99"  # what someone put there by hand
WEBHOOK_ENV = "DRIFT_TEST_SLACK_WEBHOOK"


class Webhook:
    """A local stand-in for a Slack incoming webhook: records every POST body."""

    def __init__(self) -> None:
        self.posts: list[bytes] = []
        calls = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                calls.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/XXXX"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    try:
        yield hook
    finally:
        hook.close()


@pytest.fixture
def aws_project(
    tmp_path: Path, moto: str, provider_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    need_terraform()
    monkeypatch.setenv("ENVMAN_PROVIDER_MIRROR", str(provider_mirror))
    project = copy_fixture("drift_aws", tmp_path)
    for path in project.glob("environments/*/environment.hcl"):
        path.write_text(path.read_text().replace("__MOTO_URL__", moto))
    boto3.client("s3", endpoint_url=moto, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    return project


def client(moto: str, service: str) -> Any:
    make: Any = boto3.client  # any service by name
    return make(service, endpoint_url=moto, region_name="us-east-1")


def drift_json(cli: Cli, *args: str) -> tuple[int, dict[str, Any], str]:
    result = cli("drift", *args, "--format", "json")
    assert result.exit_code in (0, 1, 2), result.output
    return result.exit_code, json.loads(result.stdout), result.output


def env_doc(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in document["environments"] if e["environment"] == name)


def state_serial(moto: str, key: str) -> tuple[int, str]:
    body = client(moto, "s3").get_object(Bucket=BUCKET, Key=key)["Body"].read()
    state = json.loads(body)
    return int(state["serial"]), str(state["lineage"])


def sg_id(moto: str, name: str) -> str:
    groups = client(moto, "ec2").describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [name]}]
    )["SecurityGroups"]
    return str(groups[0]["GroupId"])


def test_drift_lifecycle(
    aws_project: Path, moto: str, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(aws_project)
    monkeypatch.setenv(WEBHOOK_ENV, webhook.url)
    applied = cli("apply", "dev", "--yes")
    assert applied.exit_code == 0, applied.output
    serial = state_serial(moto, "dev/terraform.tfstate")

    # 1. right after a clean apply: in sync, and no provider noise listed
    code, doc, _ = drift_json(cli, "dev")
    dev = env_doc(doc, "dev")
    assert (code, dev["status"], dev["findings"], dev["error"]) == (0, "in_sync", [], None)
    assert doc["schema"] == 1 and doc["checked_at"]
    status = json.loads(cli("status", "dev", "--json").stdout)
    assert status["environments"][0]["drift"]["status"] == "in_sync"

    # 2. stack code changed, reality untouched: pending, not drift
    main_tf = aws_project / "stack" / "main.tf"
    original = main_tf.read_text()
    main_tf.write_text(original.replace('team = "platform"', 'team = "payments"'))
    code, doc, _ = drift_json(cli, "dev")
    dev = env_doc(doc, "dev")
    assert (code, dev["status"], dev["findings"]) == (0, "pending", [])
    assert dev["pending_changes"] == [{"address": "aws_s3_bucket.data", "action": "update"}]
    main_tf.write_text(original)

    # 3. one change behind terraform's back: a security group tag
    client(moto, "ec2").create_tags(
        Resources=[sg_id(moto, "dev-web")], Tags=[{"Key": "env", "Value": "manual"}]
    )
    code, doc, _ = drift_json(cli, "dev")
    dev = env_doc(doc, "dev")
    assert code == 2 and dev["status"] == "drifted"
    [finding] = dev["findings"]
    assert finding["address"] == "aws_security_group.web" and finding["attribute"] == "tags.env"
    assert (finding["expected"], finding["actual"]) == ("dev", "manual")
    assert finding["new"] is True and finding["actionable"] is True
    sg_print = finding["fingerprint"]

    # 4. acknowledge it: no longer drift until the acknowledgement expires
    monkeypatch.setenv("ENVMAN_NOW", "2027-01-01T00:00:00Z")
    refused = cli("drift", "ack", "dev", sg_print, "--expires", "2027-01-31")
    assert refused.exit_code == 1 and "--reason" in refused.stderr
    acked = cli(
        "drift", "ack", "dev", sg_print, "--reason", "INC-42 hotfix", "--expires", "2027-01-31"
    )
    assert acked.exit_code == 0, acked.output
    code, doc, _ = drift_json(cli, "dev")
    dev = env_doc(doc, "dev")
    assert (code, dev["status"], dev["findings"]) == (0, "in_sync", [])
    assert dev["counts"]["acknowledged"] == 1
    baseline = json.loads(cli("drift", "baseline", "dev", "--json").stdout)
    assert [(e["fingerprint"], e["reason"], e["active"]) for e in baseline["entries"]] == [
        (sg_print, "INC-42 hotfix", True)
    ]

    # 5. more drift, and the acknowledgement expired: everything is reported and notified once
    monkeypatch.setenv("ENVMAN_NOW", "2027-02-01T00:00:01Z")
    client(moto, "s3").put_bucket_tagging(
        Bucket="dev-data",
        Tagging={
            "TagSet": [{"Key": "env", "Value": "hacked"}, {"Key": "team", "Value": "platform"}]
        },
    )
    ssm = client(moto, "ssm")
    ssm.put_parameter(Name="/dev/config", Value="v2", Type="String", Overwrite=True)
    ssm.put_parameter(
        Name="/dev/db-password", Value=NEW_SECRET, Type="SecureString", Overwrite=True
    )
    client(moto, "ecs").delete_cluster(cluster="dev-cluster")
    code, doc, output = drift_json(cli, "dev", "--notify")
    dev = env_doc(doc, "dev")
    assert code == 2 and dev["status"] == "drifted"
    found = {(f["address"], f["attribute"]): f for f in dev["findings"]}
    assert sorted(found) == [
        ("aws_ecs_cluster.main", "*"),
        ("aws_s3_bucket.data", "tags.env"),
        ("aws_security_group.web", "tags.env"),
        ("aws_ssm_parameter.config", "value"),
        ("aws_ssm_parameter.db_password", "value"),
    ]
    assert found[("aws_ecs_cluster.main", "*")]["actual"] is None
    assert (
        found[("aws_s3_bucket.data", "tags.env")]["expected"],
        found[("aws_s3_bucket.data", "tags.env")]["actual"],
    ) == ("dev", "hacked")
    secret = found[("aws_ssm_parameter.db_password", "value")]
    assert secret["expected"] == secret["actual"] == "<sensitive>" and secret["sensitive"]
    assert all(f["new"] and f["actionable"] for f in dev["findings"])
    assert dev["counts"]["acknowledged"] == 0 and dev["counts"]["findings"] == 5
    assert len(webhook.posts) == 1
    posted = webhook.posts[0].decode()
    assert "dev" in posted and "aws_s3_bucket.data" in posted
    for text in (output, posted, render("text", doc), render("junit", doc)):
        assert SECRET not in text and NEW_SECRET not in text and webhook.url not in text

    # 6. the same drift again: nothing new, nothing notified; markdown report to a file too
    report = aws_project / "out" / "drift.md"
    again = cli("drift", "dev", "--notify", "--format", "markdown", "--report", str(report))
    assert again.exit_code == 2, again.output
    assert report.read_text() == again.stdout
    assert "🆕" not in again.stdout and "aws_ecs_cluster.main" in again.stdout
    assert SECRET not in again.output and NEW_SECRET not in again.output
    assert len(webhook.posts) == 1
    last = json.loads(
        client(moto, "s3")
        .get_object(Bucket=BUCKET, Key="dev/terraform.tfstate.releases/drift/last.json")["Body"]
        .read()
    )
    assert last["status"] == "drifted" and last["counts"]["new"] == 0
    assert not any(f["new"] for f in last["findings"])
    assert SECRET not in json.dumps(last) and NEW_SECRET not in json.dumps(last)

    # drift never wrote the state
    assert state_serial(moto, "dev/terraform.tfstate") == serial


ENV_HCL = """
stack = "../../stack"
backend "s3" {{
  bucket       = "{bucket}"
  key          = "{name}/terraform.tfstate"
  region       = "us-east-1"
  use_lockfile = true
}}
aws {{
  region       = "us-east-1"
  endpoint_url = "{url}"
}}
drift {{
  lock_timeout = "1s"
}}
"""


def add_environment(project: Path, name: str, url: str) -> None:
    folder = project / "environments" / name
    folder.mkdir()
    (folder / "environment.hcl").write_text(ENV_HCL.format(bucket=BUCKET, name=name, url=url))
    (folder / "terraform.tfvars").write_text(f'name = "{name}"\ndb_password = "{SECRET}"\n')


def test_one_environment_failing_never_hides_the_others(aws_project: Path, moto: str) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    add_environment(aws_project, "alpha", moto)
    add_environment(aws_project, "broken", dead)
    add_environment(aws_project, "locked", moto)
    lock = {
        "ID": "3f1c-lock",
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": "alice@ci-runner-7",
        "Version": "1.11.4",
        "Created": "2026-01-02T03:04:05Z",
        "Path": f"{BUCKET}/locked/terraform.tfstate",
    }
    client(moto, "s3").put_object(
        Bucket=BUCKET, Key="locked/terraform.tfstate.tflock", Body=json.dumps(lock).encode()
    )
    cli = Cli(aws_project)
    code, doc, output = drift_json(cli, "alpha", "broken", "locked", "--parallel", "3")
    assert code == 1, output  # no drift, but errors
    assert [e["environment"] for e in doc["environments"]] == ["alpha", "broken", "locked"]
    alpha, broken, locked = doc["environments"]
    assert alpha["status"] == "pending" and alpha["error"] is None  # never applied: all to create
    assert {c["action"] for c in alpha["pending_changes"]} == {"create"}
    assert broken["status"] == "error" and broken["error"]
    assert locked["status"] == "error"
    assert "alice@ci-runner-7" in locked["error"] and "3f1c-lock" in locked["error"]
    assert locked["lock"]["who"] == "alice@ci-runner-7"
    junit = render("junit", doc)
    assert junit.count("<testcase") == 3 and junit.count("<error") == 2
    assert SECRET not in output
