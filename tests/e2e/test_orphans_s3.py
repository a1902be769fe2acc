"""Orphans on the S3 backend (a moto server): the ledger names the component, its state object
gives the resource count; destroy from the recorded commit empties that object; forget stops
the reports; a deleted environment folder is found through the index of known environments."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import boto3
import pytest

from tests.e2e.test_orphans_local import git
from tests.helpers import Cli, copy_fixture, need_terraform

pytestmark = pytest.mark.aws
BUCKET = "envman-orphans-tfstate"

BACKEND = """
backend "s3" {
  bucket       = "%s"
  key          = "dev/{component}/terraform.tfstate"
  region       = "us-east-1"
  use_lockfile = true
}

aws {
  region       = "us-east-1"
  endpoint_url = "%s"
}
"""


def resources(s3: object, key: str) -> list[object]:
    body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()  # type: ignore[attr-defined]
    return list(json.loads(body).get("resources") or [])


def test_orphans_on_s3(tmp_path: Path, moto: str) -> None:
    need_terraform()
    project = copy_fixture("components", tmp_path)
    for main in project.glob("stacks/*/main.tf"):
        main.write_text(main.read_text().replace('backend "local" {}', 'backend "s3" {}'))
    env_file = project / "environments" / "dev" / "environment.hcl"
    env_file.write_text(BACKEND % (BUCKET, moto))
    (project / ".gitignore").write_text(".envman/\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "four components on s3")
    s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    cli = Cli(project)
    assert cli("apply", "dev", "--yes").exit_code == 0

    hcl = project / "envman.hcl"
    hcl.write_text(re.sub(r'component "app" \{.*?\n\}\n', "", hcl.read_text(), flags=re.S))
    shutil.rmtree(project / "stacks" / "app")
    git(project, "commit", "-qam", "app removed")
    line = "orphaned component 'app': 1 resource in state, not in envman.hcl"
    assert line in cli("plan", "dev").stderr
    status = json.loads(cli("status", "dev", "--json").stdout)["environments"][0]
    assert [(o["component"], o["resources"]) for o in status["orphans"]] == [("app", 1)]
    assert cli("drift", "dev").exit_code == 2
    assert line in cli("validate", "dev").stdout

    destroyed = cli("destroy", "dev", "-c", "app", "--confirm", "dev")
    assert destroyed.exit_code == 0, destroyed.output
    assert resources(s3, "dev/app/terraform.tfstate") == []
    assert "orphaned" not in cli("plan", "dev").output

    env_file.write_text('components = ["network", "data"]\n' + env_file.read_text())
    assert "orphaned component 'edge'" in cli("plan", "dev").stderr
    forgot = cli("forget", "dev", "-c", "edge", "--reason", "kept by the CDN team")
    assert forgot.exit_code == 0, forgot.output
    assert len(resources(s3, "dev/edge/terraform.tfstate")) == 1
    assert "orphaned" not in cli("plan", "dev").output
    assert cli("drift", "dev").exit_code == 0

    shutil.rmtree(project / "environments" / "dev")  # its backend is known from the index
    listed = json.loads(cli("list", "--json").stdout)
    assert next(r for r in listed if r["name"] == "dev")["orphaned"] == ["data", "network"]
    assert cli("drift", "dev").exit_code == 2
