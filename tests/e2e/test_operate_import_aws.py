"""envman tf import: adopt an AWS resource created behind terraform's back (moto server)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tests.helpers import Cli, copy_fixture, need_terraform

pytestmark = pytest.mark.aws

BUCKET = "envman-adopted-assets"


@pytest.fixture
def aws_op(
    tmp_path: Path, moto: str, provider_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> Cli:
    need_terraform()
    monkeypatch.setenv("ENVMAN_PROVIDER_MIRROR", str(provider_mirror))
    project = copy_fixture("operate_aws", tmp_path)
    config = project / "environments" / "dev" / "environment.hcl"
    config.write_text(config.read_text().replace("@ENDPOINT@", moto))
    return Cli(project)


def test_import_a_bucket_made_by_hand(aws_op: Cli, moto: str) -> None:
    boto3.client("s3", endpoint_url=moto, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    # the stack's `bucket` variable has no default: import works only with the env's tfvars
    imported = aws_op("tf", "dev", "--", "import", "aws_s3_bucket.assets", BUCKET)
    assert imported.exit_code == 0, imported.output
    assert "Import successful" in imported.stdout
    listed = aws_op("tf", "dev", "--", "state", "list")
    assert listed.stdout.split() == ["aws_s3_bucket.assets"]
    shown = aws_op("tf", "dev", "--", "state", "show", "-no-color", "aws_s3_bucket.assets")
    assert f'bucket                      = "{BUCKET}"' in shown.stdout

    ledger = aws_op.project / "state" / "dev.tfstate.releases" / "audit"
    [entry] = [json.loads(p.read_text()) for p in ledger.glob("*.json")]
    assert entry["command"] == ["import", "aws_s3_bucket.assets", BUCKET]
    assert entry["status"] == "succeeded"
    assert entry["state"]["serial_before"] is None  # there was no state yet
    assert entry["state"]["serial_after"] is not None
    history = json.loads(aws_op("history", "dev", "--json").stdout)
    assert [(h["kind"], h["status"]) for h in history] == [("tf", "succeeded")]
