"""Audit entries in an S3 ledger (moto server): beside the releases, never one of them."""

from __future__ import annotations

import uuid

import pytest

from envman.aws.session import client
from envman.config.models import AwsSettings
from envman.operate.audit import begin_audit, finish_audit, read_audit
from envman.releases.ledger import Ledger
from envman.releases.models import Status
from envman.releases.store_s3 import S3Store
from envman.terraform.state import StateInfo

pytestmark = pytest.mark.aws

PREFIX = "dev/terraform.tfstate.releases/"


def test_audit_entries_in_s3(moto: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    s3 = client(AwsSettings(endpoint_url=moto, region="us-east-1"), "s3")
    bucket = f"state-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    store = S3Store(s3, bucket, PREFIX)
    ledger = Ledger(store, "dev")
    release = ledger.begin(kind="apply")
    release.status = Status.APPLIED
    ledger.save(release)

    entry = begin_audit(store, "dev", ["state", "mv", "a.b", "a.c"], StateInfo(3, "L"))
    key = PREFIX + entry.name()
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read().count(b'"running"') == 1
    assert store.create(entry.name(), b"{}") is False  # If-None-Match: never overwritten
    finish_audit(store, entry, "failed", 1, StateInfo(3, "L"))

    [read] = read_audit(store)[0]
    assert (read.status, read.exit_code, read.seq) == ("failed", 1, None)
    assert ledger.seqs() == [1]
    current = ledger.current()
    assert current is not None and current.seq == 1
