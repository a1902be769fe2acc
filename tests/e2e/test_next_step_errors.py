"""Errors that name the next step, each on its exact situation: a missing state bucket, the
emulator not running, a bad --set value, a backend setting of the wrong type, a misspelt key or
value, a promotion without variables, a plan the guard would refuse."""

from __future__ import annotations

import socket
from pathlib import Path

import boto3
import pytest

from tests.helpers import Cli, copy_fixture, need_terraform


def aws_project(tmp_path: Path, endpoint: str) -> Path:
    need_terraform()
    project = copy_fixture("aws_basic", tmp_path)
    for hcl in project.glob("environments/*/environment.hcl"):
        hcl.write_text(hcl.read_text().replace("@ENDPOINT@", endpoint))
    return project


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def only_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("envman:")]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.aws
def test_missing_state_bucket_names_bootstrap(tmp_path: Path, moto: str) -> None:
    cli = Cli(aws_project(tmp_path, moto))  # the bucket was never created
    result = cli("plan", "staging")
    assert result.exit_code == 1
    line = only_error_line(result.stderr)
    assert "NoSuchBucket" in line and "envman bootstrap staging" in line


def test_emulator_not_running_names_emulator_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    cli = Cli(aws_project(tmp_path, f"http://127.0.0.1:{free_port()}"))
    result = cli("plan", "staging")
    assert result.exit_code == 1
    line = only_error_line(result.stderr)
    assert "cannot connect to the S3 endpoint http://127.0.0.1:" in line
    assert "envman emulator start" in line


def test_bad_set_value_names_the_flag_not_the_run_file(cli: Cli) -> None:
    result = cli("plan", "staging", "--set", "replicas=three")
    assert result.exit_code == 1
    line = only_error_line(result.stderr)
    assert "--set replicas: " in line and "a number is required" in line
    assert ".envman" not in line and "tfvars.json" not in line


def test_bad_pinned_value_names_the_pin(cli: Cli, basic_project: Path) -> None:
    assert cli("apply", "staging", "--set", "image_tag=v9", "--yes").exit_code == 0
    variables = basic_project / "stack" / "main.tf"
    declared = 'variable "image_tag" {\n  type    = string\n  default = "v1"'
    text = variables.read_text()
    assert declared in text  # the stack changes the type: the pinned "v9" no longer fits
    variables.write_text(
        text.replace(declared, 'variable "image_tag" {\n  type    = number\n  default = 1')
    )
    result = cli("plan", "staging")
    assert result.exit_code == 1
    line = only_error_line(result.stderr)
    assert "the current release's pin of image_tag: " in line
    assert "--unpin image_tag" in line and ".envman" not in line


def edit(project: Path, env: str, old: str, new: str) -> Path:
    path = project / "environments" / env / "environment.hcl"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


def test_backend_path_of_the_wrong_type_says_what_is_expected(
    cli: Cli, basic_project: Path
) -> None:
    path = edit(basic_project, "staging", 'path = "state/staging.tfstate"', "path = 42")
    for args in (("validate", "staging"), ("plan", "staging")):
        result = cli(*args)
        assert result.exit_code == 1
        assert f"{path}:4: backend: path = 42 is not a string" in result.output
        assert 'in quotes, e.g. path = "state/dev.tfstate"' in result.output


def test_misspelt_key_is_unknown_with_did_you_mean(cli: Cli, basic_project: Path) -> None:
    path = edit(basic_project, "production", 'from = "staging"', 'form = "staging"')
    result = cli("validate", "production")
    assert result.exit_code == 1
    assert f"{path}:9: unknown key 'form' (did you mean 'from'?" in result.stdout
    assert "missing" not in result.stdout


def test_misspelt_value_gets_did_you_mean(cli: Cli, basic_project: Path) -> None:
    path = basic_project / "environments" / "staging" / "environment.hcl"
    path.write_text(path.read_text() + '\nverify {\n  on_failure = "rollbak"\n}\n')
    result = cli("validate", "staging")
    assert result.exit_code == 1
    assert (
        "verify.on_failure: 'rollbak' is not one of rollback, fail; did you mean 'rollback'?"
        in (result.stdout)
    )


def test_promotion_without_variables_is_a_config_error(cli: Cli, basic_project: Path) -> None:
    path = edit(
        basic_project,
        "production",
        '  variables = {\n    image_tag        = "image_tag"\n'
        '    frontend_release = "frontend_release"\n  }\n',
        "",
    )
    for args in (("validate", "production"), ("promote", "--dry-run")):
        result = cli(*args)
        assert result.exit_code == 1, result.output
        assert f"{path}:8: promotion.variables: give at least one" in result.output
        assert "a promotion without variables promotes nothing" in result.output


def test_refused_plan_is_not_offered_for_apply(tmp_path: Path) -> None:
    need_terraform()
    cli = Cli(copy_fixture("guarded", tmp_path))
    assert cli("apply", "dev", "--yes").exit_code == 0
    result = cli("plan", "dev", "--set", "db_version=2")
    assert result.exit_code == 3, result.output
    assert "Applying this plan would be refused" in result.output
    assert "apply it with" not in result.output


@pytest.mark.aws
def test_s3_bucket_exists_then_plan_passes_the_bucket_check(tmp_path: Path, moto: str) -> None:
    """The bootstrap hint is the way through: after it, the same plan runs."""
    cli = Cli(aws_project(tmp_path, moto))
    assert cli("bootstrap", "staging").exit_code == 0
    s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1")
    assert s3.head_bucket(Bucket="envman-test-tfstate")["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_the_version_table_claims_only_real_changes(cli: Cli) -> None:
    assert cli("apply", "staging", "--set", "image_tag=v5", "--yes").exit_code == 0
    first = cli("promote", "--confirm", "production")
    assert first.exit_code == 0, first.output
    assert "v5" in first.stdout and "(changes)" in first.stdout
    again = cli("promote", "--dry-run")
    assert again.exit_code == 0, again.output
    assert "Promotion staging → production: no variable changes." in again.stdout
    assert "(changes)" not in again.stdout and "→ v5" not in again.stdout


AWS_STACK = """
terraform {
  backend "local" {}
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
provider "aws" {
  region                      = "us-east-1"
  max_retries                 = 1
  skip_credentials_validation = true
  skip_requesting_account_id  = true
}
data "aws_caller_identity" "me" {}
"""


def test_terraform_finding_no_local_emulator_names_emulator_start(
    tmp_path: Path, provider_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_terraform()
    monkeypatch.setenv("ENVMAN_PROVIDER_MIRROR", str(provider_mirror))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    (tmp_path / "terraform").mkdir()
    (tmp_path / "terraform" / "main.tf").write_text(AWS_STACK)
    cli = Cli(tmp_path)
    assert cli("init").exit_code == 0
    port = free_port()
    hcl = tmp_path / "environments" / "dev" / "environment.hcl"
    hcl.write_text(hcl.read_text() + f'\naws {{\n  endpoint_url = "http://127.0.0.1:{port}"\n}}\n')
    result = cli("plan", "dev")
    assert result.exit_code == 1
    line = only_error_line(result.stderr)
    assert f"cannot connect to http://127.0.0.1:{port} (connection refused)" in line
    assert "start the local AWS emulator with `envman emulator start`" in line
