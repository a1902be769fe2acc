"""Environments are isolated on S3 too (moto server): the same bucket + key for two
environments is refused, and a record copied from another environment's ledger prefix is
refused as foreign and never becomes current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from envman.errors import EnvmanError
from envman.releases.ledger import Ledger
from envman.releases.models import Status
from envman.releases.store_s3 import S3Store
from tests.helpers import Cli, copy_fixture

pytestmark = pytest.mark.aws
BUCKET = "envman-test-tfstate"


def s3(moto: str) -> Any:
    return boto3.client("s3", endpoint_url=moto, region_name="us-east-1")


@pytest.fixture
def project(tmp_path: Path, moto: str) -> Path:
    project = copy_fixture("aws_basic", tmp_path)
    for hcl in project.glob("environments/*/environment.hcl"):
        hcl.write_text(hcl.read_text().replace("@ENDPOINT@", moto))
    s3(moto).create_bucket(Bucket=BUCKET)
    return project


def ledger(moto: str, env: str) -> Ledger:
    return Ledger(S3Store(s3(moto), BUCKET, f"{env}/terraform.tfstate.releases/"), env)


def applied(book: Ledger, **fields: Any) -> None:
    release = book.begin(kind="apply", **fields)
    book.update(release.seq, {"status": Status.APPLIED})


def test_the_same_bucket_and_key_for_two_environments_is_refused(project: Path) -> None:
    hcl = project / "environments" / "production" / "environment.hcl"
    text = hcl.read_text()
    assert '"production/terraform.tfstate"' in text
    hcl.write_text(text.replace('"production/terraform.tfstate"', '"staging/terraform.tfstate"'))
    line = next(i for i, row in enumerate(hcl.read_text().splitlines(), 1) if "key" in row)
    for command in (("validate", "production"), ("history", "production"), ("plan", "staging")):
        result = Cli(project)(*command)
        assert result.exit_code == 1, result.output
        assert f"s3://{BUCKET}/staging/terraform.tfstate: one would apply over" in result.output
    refused = Cli(project)("validate", "production")
    assert f"production/environment.hcl:{line}: environment 'production' and environment " in (
        refused.output
    )


def test_a_record_copied_from_another_ledger_is_foreign_on_s3(project: Path, moto: str) -> None:
    staging, production = ledger(moto, "staging"), ledger(moto, "production")
    applied(production, inputs={"image_tag": "v1"})
    applied(staging, inputs={"image_tag": "v9"})
    client = s3(moto)
    client.copy_object(  # staging's record, as production's #2
        Bucket=BUCKET,
        Key="production/terraform.tfstate.releases/00000002.json",
        CopySource={"Bucket": BUCKET, "Key": "staging/terraform.tfstate.releases/00000001.json"},
    )

    fresh = ledger(moto, "production")
    assert [r.seq for r in fresh.records()] == [1]
    assert fresh.problems == [
        f"s3://{BUCKET}/production/terraform.tfstate.releases/00000002.json: foreign record "
        "(it says environment 'staging', seq 1; stored as 'production' seq 2), skipped"
    ]
    current = fresh.current()
    assert current is not None and current.seq == 1 and current.inputs == {"image_tag": "v1"}
    with pytest.raises(EnvmanError, match="foreign record"):
        fresh.update(2, {"status": Status.ROLLED_BACK})
    assert fresh.begin(kind="apply").seq == 3  # the copied record still holds its number

    history = Cli(project)("history", "production", "--json")
    assert history.exit_code == 0, history.output
    assert [r["seq"] for r in json.loads(history.stdout)] == [3, 1]
    assert "00000002.json: foreign record (it says environment 'staging'" in history.stderr
