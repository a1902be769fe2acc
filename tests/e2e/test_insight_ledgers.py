"""`envman metrics` and `envman report` on real ledgers (docs/metrics.md, docs/dashboard.md):
one written by real terraform runs in a git checkout (lead time from the commits each release
carried), one on S3 (a moto server) holding the synthetic ledger of the golden test.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from envman.aws.session import client
from envman.config.models import AwsSettings
from tests.helpers import Cli
from tests.synthetic_ledger import NOW, PRODUCTION, STAGING, audit

DAY = 86400


def _git(root: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    if when is not None:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    done = subprocess.run(
        ["git", "-C", str(root), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _metrics(cli: Cli, *args: str) -> dict[str, dict[str, Any]]:
    result = cli("metrics", *args, "--json")
    assert result.exit_code == 0, result.output
    return {e["environment"]: e for e in json.loads(result.stdout)["environments"]}


def test_lead_time_from_the_commits_each_release_carried(
    basic_project: Path, tmp_path: Path
) -> None:
    root, cli = basic_project, Cli(basic_project)
    (root / ".gitignore").write_text(".envman/\nstate/\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "first", when="2026-01-01T00:00:00Z")
    assert cli("apply", "staging", "--yes").exit_code == 0  # carries "first"
    tfvars = root / "environments" / "staging" / "terraform.tfvars"
    for n, when in ((3, "2026-01-02T00:00:00Z"), (4, "2026-01-03T00:00:00Z")):
        tfvars.write_text(f"replicas = {n}\n")
        _git(root, "commit", "-qam", f"replicas {n}", when=when)
    assert cli("apply", "staging", "--yes").exit_code == 0  # carries the two new commits
    promoted = cli("promote", "production", "--confirm", "production")
    assert promoted.exit_code == 0, promoted.output  # carries staging's newest commit
    found = _metrics(cli, "production", "staging", "--days", "3650")
    staging, production = found["staging"]["lead_time"], found["production"]["lead_time"]
    assert (staging["basis"], staging["from_commits"], staging["samples"]) == ("git", 3, 3)
    assert (production["basis"], production["from_commits"]) == ("git", 1)
    assert production["median_seconds"] > DAY  # from 2026-01-03, whatever today is
    assert found["production"]["deployment_frequency"]["deployments"] == 1
    report = cli("report", "--html", str(tmp_path / "site"))
    assert report.exit_code == 0, report.output
    index = (tmp_path / "site" / "index.html").read_text()
    assert "#1 promote" in index and "#2 apply" in index
    assert "canary-token-1f3c9a" not in index  # the stack's sensitive default


def _env_hcl(bucket: str, endpoint: str, name: str, promotion: str = "") -> str:
    return f"""
stack = "../../stack"
backend "s3" {{
  bucket = "{bucket}"
  key    = "{name}/terraform.tfstate"
  region = "us-east-1"
}}
aws {{
  region       = "us-east-1"
  endpoint_url = "{endpoint}"
}}
{promotion}
"""


@pytest.mark.aws
def test_metrics_and_report_read_an_s3_ledger(
    moto: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = f"state-{uuid.uuid4().hex[:12]}"
    s3 = client(AwsSettings(endpoint_url=moto, region="us-east-1"), "s3")
    s3.create_bucket(Bucket=bucket)
    root = tmp_path / "project"
    promotion = 'promotion {\n  from = "staging"\n  variables = { image_tag = "image_tag" }\n}'
    for name, extra in (("staging", ""), ("production", promotion)):
        folder = root / "environments" / name
        folder.mkdir(parents=True)
        (folder / "environment.hcl").write_text(_env_hcl(bucket, moto, name, extra))
    (root / "stack").mkdir()
    (root / "stack" / "main.tf").write_text('variable "image_tag" {\n  default = "v1"\n}\n')
    for name, records in (("production", PRODUCTION), ("staging", STAGING)):
        for record in records:
            key = f"{name}/terraform.tfstate.releases/{record['seq']:08d}.json"
            s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(record).encode())
    audits = tmp_path / "audit"
    audits.mkdir()
    audit(audits, 2)
    for entry in (audits / "audit").iterdir():
        key = f"production/terraform.tfstate.releases/audit/{entry.name}"
        s3.put_object(Bucket=bucket, Key=key, Body=entry.read_bytes())
    monkeypatch.setenv("ENVMAN_NOW", NOW)
    cli = Cli(root)
    production = _metrics(cli, "production", "--days", "30")["production"]
    assert production["deployment_frequency"]["deployments"] == 7
    assert production["change_failure_rate"]["failed"] == 4
    assert production["time_to_restore"]["median_seconds"] == 7200.0
    assert production["lead_time"]["median_seconds"] == 83400.0  # staging's records read too
    assert production["also"]["audit_entries"] == 2
    report = cli("report", "--html", str(tmp_path / "site"), "--since", "30d")
    assert report.exit_code == 0, report.output
    page = (tmp_path / "site" / "env-production.html").read_text()
    assert "4 of 7 deployment(s) failed" in page
