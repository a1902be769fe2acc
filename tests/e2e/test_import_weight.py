"""What a command imports (issue: envman's own start-up cost). A structure test on
``sys.modules``: the CLI entry runs in a fresh interpreter, which then writes the names of the
modules it loaded. Help loads no AWS SDK, no HCL grammar, no pydantic; plan, apply, promote
and drift on a local project with plain var files load neither boto3/botocore nor
python-hcl2, nor typer's pydantic adapters (envman's own configuration models are used)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import copy_fixture, need_terraform

SCRIPT = """
import json, sys
out, args = sys.argv[1], sys.argv[2:]
sys.argv = ["envman", *args]
from envman.cli import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
with open(out, "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""

AWS_SDK = ("boto3", "botocore")
HCL_GRAMMAR = ("hcl2", "lark")
HELP_FREE = (*AWS_SDK, *HCL_GRAMMAR, "pydantic", "typer._adapters", "envman.config.models")
RUN_FREE = (*AWS_SDK, *HCL_GRAMMAR, "typer._adapters")

STACK = """
terraform {
  backend "local" {}
}

variable "image_tag" {
  type    = string
  default = "v1"
}

variable "replicas" {
  type    = number
  default = 1
}

resource "terraform_data" "app" {
  input = { image_tag = var.image_tag, replicas = var.replicas }
}

output "image_tag" {
  value = terraform_data.app.output.image_tag
}
"""

ENVIRONMENT = """
stack = "../../stack"

backend "local" {
  path = "state/%s.tfstate"
}
"""

PROMOTION = """
promotion {
  from      = "staging"
  variables = { image_tag = "image_tag" }
}
"""


def loaded(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    """Exit code and loaded modules of ``envman ARGS`` in a fresh interpreter."""
    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", SCRIPT, str(out), *args],
        env=dict(os.environ),
        capture_output=True,
        check=False,
        timeout=300,
    )
    document = json.loads(out.read_text())
    return int(document["code"]), set(document["modules"])


def heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names))


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("plan", "--help"),
        ("apply", "--help"),
        ("promote", "--help"),
        ("drift", "--help"),
    ],
)
def test_help_loads_no_sdk_grammar_or_models(tmp_path: Path, args: tuple[str, ...]) -> None:
    code, modules = loaded(tmp_path, *args)
    assert code == 0
    assert "envman.cli" in modules
    assert heavy(modules, HELP_FREE) == []


def plain_project(root: Path) -> Path:
    """A local project: a terraform_data stack, staging and production (promoted from
    staging), plain var files."""
    project = root / "project"
    (project / "stack").mkdir(parents=True)
    (project / "stack" / "main.tf").write_text(STACK)
    for name in ("staging", "production"):
        folder = project / "environments" / name
        folder.mkdir(parents=True)
        extra = PROMOTION if name == "production" else ""
        (folder / "environment.hcl").write_text(ENVIRONMENT % name + extra)
        (folder / "terraform.tfvars").write_text(
            f'# {name}\nreplicas = 2\nimage_tag = "{name}-1"\n'
        )
    return project


def test_deploy_commands_load_no_sdk_or_grammar(tmp_path: Path) -> None:
    need_terraform()
    project = plain_project(tmp_path)
    at = ("--project", str(project))
    for name in ("staging", "production"):  # first runs: init, config parse cache
        assert loaded(tmp_path, *at, "apply", name, "--yes")[0] == 0
    runs = {
        "plan": ("plan", "staging"),
        "apply": ("apply", "staging", "--yes", "--set", "replicas=3"),
        "promote": ("promote", "production", "--yes"),
        "drift": ("drift", "staging"),
    }
    for what, args in runs.items():
        code, modules = loaded(tmp_path, *at, *args)
        assert code == 0, what
        assert "envman.terraform.runner" in modules, what  # it did run terraform
        assert heavy(modules, RUN_FREE) == [], what


def test_a_sensitive_default_is_parsed_and_still_redacted(tmp_path: Path) -> None:
    """The control: a stack with a sensitive default does load python-hcl2 (in the
    background while terraform runs), and the default never reaches the output."""
    need_terraform()
    project = copy_fixture("basic", tmp_path)
    at = ("--project", str(project))
    assert loaded(tmp_path, *at, "apply", "dev", "--yes")[0] == 0
    code, modules = loaded(tmp_path, *at, "plan", "dev")
    assert code == 0
    assert "hcl2" in modules
    done = subprocess.run(
        [sys.executable, "-m", "envman", *at, "outputs", "dev", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "canary-token-1f3c9a" not in done.stdout + done.stderr
