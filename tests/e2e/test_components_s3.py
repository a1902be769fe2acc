"""Components on the S3 backend (a moto server): `{component}` in the key, one ledger per
environment next to the key with `{component}` removed."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tests.helpers import Cli, copy_fixture, need_terraform

pytestmark = pytest.mark.aws
BUCKET = "envman-components-tfstate"

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


def test_components_on_s3(tmp_path: Path, moto: str) -> None:
    need_terraform()
    project = copy_fixture("components", tmp_path)
    for main in project.glob("stacks/*/main.tf"):
        main.write_text(main.read_text().replace('backend "local" {}', 'backend "s3" {}'))
    (project / "environments" / "dev" / "environment.hcl").write_text(BACKEND % (BUCKET, moto))
    s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    cli = Cli(project)
    applied = cli("apply", "dev", "--yes", "-c", "network", "-c", "data")
    assert applied.exit_code == 0, applied.output
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {"dev/network/terraform.tfstate", "dev/data/terraform.tfstate"} <= keys
    assert "dev/terraform.tfstate.releases/00000001.json" in keys
    history = json.loads(cli("history", "dev", "--json").stdout)
    assert history[0]["schema"] == 2
    assert set(history[0]["components"]) == {"network", "data"}
    assert cli("plan", "dev", "-c", "data", "--detailed-exitcode").exit_code == 0
    # the state object read from S3 without terraform gives what terraform gives
    from envman.config.project import load_project
    from envman.graph.plan import component_workspace
    from envman.graph.select import graph_target
    from envman.terraform.output import read_outputs
    from envman.terraform.state_direct import current_outputs, state_document

    loaded = load_project(project)
    target = graph_target(loaded, loaded.environment("dev"))
    network, app = component_workspace(target, "network"), component_workspace(target, "app")
    assert state_document(network) is not None and state_document(app) == {}
    network.ensure_init()
    assert current_outputs(network) == read_outputs(network.terraform)
