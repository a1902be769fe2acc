"""Labels, provenance, `diff` and `changelog` on S3 ledgers (a moto server), in both shapes of
the parity stack: the records are read back from the bucket, not from local files."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import boto3
import pytest

from tests.gitrepo import as_json, commit, ok, repository
from tests.helpers import need_terraform
from tests.parity import CANARY, SHAPES, Project, Shape, make_project

pytestmark = pytest.mark.aws

BACKEND = """backend "s3" {
  bucket       = "%s"
  key          = "%s"
  region       = "us-east-1"
  use_lockfile = true
}

aws {
  region       = "us-east-1"
  endpoint_url = "%s"
}
"""


def on_s3(project: Project, bucket: str, url: str) -> None:
    """The project's state and ledgers moved to the bucket (same keys as the local paths)."""
    for main in project.root.glob("stack/*.tf"):
        main.write_text(main.read_text().replace('backend "local" {}', 'backend "s3" {}'))
    for env in ("dev", "staging"):
        path = project.config(env)
        text = path.read_text()
        key = re.search(r'path = "state/([^"]+)"', text)
        assert key is not None
        block = re.compile(r'backend "local" \{\n.*?\n\}\n', re.S)
        path.write_text(block.sub(BACKEND % (bucket, key.group(1), url), text))


@pytest.fixture(params=SHAPES, ids=[s.name for s in SHAPES])
def project(request: pytest.FixtureRequest, tmp_path: Path, moto: str) -> Project:
    need_terraform()
    shape: Shape = request.param
    made = make_project(shape, tmp_path)
    bucket = f"insight-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=moto, region_name="us-east-1").create_bucket(Bucket=bucket)
    on_s3(made, bucket, moto)
    return made


def test_labels_diff_and_changelog_on_s3(project: Project, moto: str) -> None:
    first = repository(project)
    ok(project, "apply", "dev", "--yes")
    ok(project, "promote", "staging", "--yes")
    assert not project.ledger().exists()  # the ledger is in the bucket
    project.tfvars("dev", 'image = "v2"\n')
    second = commit(project.root, "second image", tag="v1.1.0")
    ok(project, "apply", "dev", "--yes")
    dev = as_json(project, "history", "dev")
    assert [(r["seq"], r["label"]) for r in dev] == [(2, "v1.1.0"), (1, "v1.0.0")]
    assert dev[1]["git"]["commit"] == first and dev[0]["git"]["tag"] == "v1.1.0"

    diff = as_json(project, "diff", "dev", "staging")
    [promoted] = diff["promoted"]
    assert (promoted["old"], promoted["new"]) == ("v1", "v2")
    assert [c["sha"] for c in diff["commits"]["commits"]] == [second]

    ok(project, "promote", "staging", "--yes")
    ok(project, "rollback", "staging", "--to", "v1.0.0", "--yes")
    staging = as_json(project, "history", "staging", "--label", "v1.1.0")
    assert [(r["seq"], r["kind"]) for r in staging] == [(2, "promote")]
    notes = as_json(project, "changelog", "staging", "--from", "v1.0.0", "--to", "v1.1.0")
    [release] = notes["releases"]
    assert release["label"] == "v1.1.0" and [c["new"] for c in release["changes"]] == ["v2"]
    assert [c["subject"] for c in release["commits"]["commits"]] == ["second image"]
    body = ok(project, "changelog", "staging", "--format", "markdown")
    assert body.startswith("## v1.0.0 — #3 rollback") and CANARY not in body
    assert json.dumps(notes).count(CANARY) == 0
