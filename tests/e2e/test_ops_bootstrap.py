"""envman bootstrap against a real moto server, read back with boto3; AWS sessions and errors."""

from __future__ import annotations

import json
import ssl
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from envman.aws.errors import AwsError, aws_call
from envman.aws.session import (
    clear_cache,
    env_client,
    terraform_child_env,
    terraform_credentials_env,
)
from envman.config.models import EnvironmentConfig
from envman.config.project import Environment
from tests.helpers import Cli, copy_fixture
from tests.servers import tls_moto

pytestmark = pytest.mark.aws  # against a moto server
BUCKET = "ops-state-bucket"


def with_endpoint(tmp_path: Path, endpoint: str) -> Path:
    root = copy_fixture("ops_s3", tmp_path)
    path = root / "environments" / "prod" / "environment.hcl"
    path.write_text(path.read_text().replace("MOTO_URL", endpoint))
    return root


@pytest.fixture
def project(tmp_path: Path, moto: str) -> Path:
    return with_endpoint(tmp_path, moto)


@pytest.fixture(scope="module")
def tls_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with tls_moto(tmp_path_factory.mktemp("tls")) as endpoint:
        yield endpoint


@pytest.fixture
def tls_project(
    tmp_path: Path, tls_endpoint: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> Path:
    url, ca = tls_endpoint
    urllib.request.urlopen(  # a clean emulator for each test
        urllib.request.Request(f"{url}/moto-api/reset", method="POST", data=b""),
        context=ssl.create_default_context(cafile=str(ca)),
    ).read()
    monkeypatch.setenv("AWS_CA_BUNDLE", str(ca))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    return with_endpoint(tmp_path, url)


def s3(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def test_bootstrap_creates_a_safe_bucket_then_changes_nothing(
    tls_project: Path, tls_endpoint: tuple[str, Path]
) -> None:
    cli = Cli(tls_project)
    first = cli("bootstrap", "prod")
    assert first.exit_code == 0, first.output
    assert f"Created bucket s3://{BUCKET}" in first.stdout
    assert "note:" not in first.stdout
    client = s3(tls_endpoint[0])
    assert client.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    rules = client.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"][
        "Rules"
    ]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    block = client.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    policy = json.loads(client.get_bucket_policy(Bucket=BUCKET)["Policy"])
    [deny] = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}

    second = cli("bootstrap", "prod")
    assert second.exit_code == 0, second.output
    assert "nothing to change" in second.stdout
    assert "Created" not in second.stdout


def test_existing_unversioned_bucket_is_refused_then_fixed(
    tls_project: Path, tls_endpoint: tuple[str, Path]
) -> None:
    client = s3(tls_endpoint[0])
    client.create_bucket(Bucket=BUCKET)
    existing = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadOnly",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(existing))
    cli = Cli(tls_project)
    refused = cli("bootstrap", "prod")
    assert refused.exit_code == 1
    assert f"bucket s3://{BUCKET} exists but versioning is off" in refused.stderr
    assert "--fix" in refused.stderr
    assert "Traceback" not in refused.output
    assert "Status" not in client.get_bucket_versioning(Bucket=BUCKET)

    fixed = cli("bootstrap", "prod", "--fix")
    assert fixed.exit_code == 0, fixed.output
    assert "versioning enabled" in fixed.stdout and f"Fixed s3://{BUCKET}" in fixed.stdout
    assert client.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    sids = [
        s.get("Sid")
        for s in json.loads(client.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    ]
    assert sids == ["ReadOnly", "EnvmanDenyInsecureTransport"]  # the owner's statement is kept
    assert "nothing to change" in cli("bootstrap", "prod").stdout


def test_plain_http_emulator_gets_no_tls_policy(project: Path, moto: str) -> None:
    """Over plain HTTP a TLS-only policy would deny every later request: it is left out."""
    cli = Cli(project)
    first = cli("bootstrap", "prod")
    assert first.exit_code == 0, first.output
    assert "TLS-only bucket policy not applied" in first.stdout
    client = s3(moto)
    assert client.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    with pytest.raises(client.exceptions.ClientError, match="NoSuchBucketPolicy"):
        client.get_bucket_policy(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key="prod/terraform.tfstate.releases/probe", Body=b"{}")
    second = cli("bootstrap", "prod")
    assert "nothing to change" in second.stdout, second.output


def test_bootstrap_of_a_local_backend_is_a_clear_error(project: Path) -> None:
    result = Cli(project)("bootstrap", "scratch")
    assert result.exit_code == 1
    assert "environment 'scratch' has backend \"local\"" in result.stderr


def test_unreachable_endpoint_is_one_line(project: Path) -> None:
    path = project / "environments" / "prod" / "environment.hcl"
    from tests.moto_server import free_port

    text = path.read_text()
    start = text.index("http://127.0.0.1:")
    end = text.index('"', start)
    path.write_text(text[:start] + f"http://127.0.0.1:{free_port()}" + text[end:])
    result = Cli(project)("bootstrap", "prod")
    assert result.exit_code == 1
    assert "cannot reach the AWS endpoint" in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def _env(aws: dict[str, Any], name: str = "prod") -> Environment:
    here = Path("/nonexistent")
    config = EnvironmentConfig.model_validate({"aws": aws})
    return Environment(name, here, here / "environment.hcl", config, here, here)


def test_role_is_assumed_once_and_shared_with_terraform(
    moto: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_cache()
    config = tmp_path / "aws-config"
    config.write_text("[profile source]\naws_access_key_id = test\naws_secret_access_key = test\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    role = "arn:aws:iam::123456789012:role/envman"
    env = _env({"region": "us-east-1", "endpoint_url": moto, "role_arn": role, "profile": "source"})
    creds = terraform_credentials_env(env)
    assert set(creds) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
    assert terraform_credentials_env(env) == creds  # cached: one AssumeRole per run
    child = terraform_child_env(env)
    assert child["AWS_ENDPOINT_URL"] == moto and "AWS_PROFILE" not in child
    assert child["AWS_ACCESS_KEY_ID"] == creds["AWS_ACCESS_KEY_ID"]
    sts = boto3.client(
        "sts",
        endpoint_url=moto,
        region_name="us-east-1",
        aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=creds["AWS_SESSION_TOKEN"],
    )
    assert sts.get_caller_identity()["Arn"].endswith(":assumed-role/envman/envman-prod")
    boto = env_client(env, "sts").get_caller_identity()
    assert boto["Arn"].endswith(":assumed-role/envman/envman-prod")
    assert terraform_credentials_env(_env({"region": "us-east-1"})) == {}
    clear_cache()


def test_missing_credentials_are_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    client = env_client(_env({"region": "us-east-1"}), "s3")
    with pytest.raises(AwsError) as info:
        aws_call("list buckets", client.list_buckets)
    assert str(info.value).startswith("cannot list buckets: no AWS credentials found")


def test_expired_token_is_one_line() -> None:
    from botocore.exceptions import ClientError

    def expired() -> None:
        raise ClientError(
            {
                "Error": {
                    "Code": "ExpiredToken",
                    "Message": "The security token included in the request is expired",
                }
            },
            "ListBuckets",
        )

    with pytest.raises(AwsError) as info:
        aws_call("list buckets", expired)
    assert str(info.value).startswith("cannot list buckets: the AWS credentials have expired")
    assert info.value.code == "ExpiredToken"
