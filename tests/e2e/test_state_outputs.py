"""Reading a state's outputs: from one `state pull` after an apply, and lazily after a plan
(envman/terraform/state.py, envman/graph/lazyoutputs.py), and straight from the state object
(envman/terraform/state_direct.py). Real terraform, local state."""

from __future__ import annotations

from pathlib import Path

import pytest

from envman.config.project import load_project
from envman.graph.lazyoutputs import StateOutputs
from envman.graph.plan import component_workspace
from envman.graph.select import graph_target
from envman.terraform.binary import find_binary
from envman.terraform.output import read_outputs
from envman.terraform.runner import Terraform, base_environment
from envman.terraform.state import read_state_and_outputs, read_state_info
from envman.terraform.state_direct import (
    current_outputs,
    current_state_and_outputs,
    current_state_info,
    state_document,
)
from envman.workspace import Workspace
from tests.helpers import Cli, copy_fixture, need_terraform

STACK = """
variable "tag" {
  type = string
}

resource "terraform_data" "a" {
  input = var.tag
}

output "tag" {
  value = terraform_data.a.output
}

output "secret" {
  value     = "s3cr3t-${var.tag}"
  sensitive = true
}
"""


@pytest.fixture
def tf(tmp_path: Path) -> Terraform:
    need_terraform()
    stack = tmp_path / "stack"
    stack.mkdir()
    (stack / "main.tf").write_text(STACK)
    tf = Terraform(find_binary(), stack, base_environment(tmp_path / "data", None))
    tf.run(["init", "-input=false", "-no-color"])
    return tf


def apply(tf: Terraform, tag: str) -> None:
    tf.run(["apply", "-auto-approve", "-input=false", "-no-color", f"-var=tag={tag}"])


def test_one_state_pull_gives_what_output_and_state_pull_gave(tf: Terraform) -> None:
    apply(tf, "v1")
    apply(tf, "v2")
    info, outputs = read_state_and_outputs(tf)
    assert info == read_state_info(tf) and info.serial is not None and info.lineage
    assert outputs == read_outputs(tf)
    assert outputs["tag"].value == "v2" and not outputs["tag"].sensitive
    assert outputs["secret"].sensitive and outputs["secret"].value == "s3cr3t-v2"


def _workspace(project: Path, component: str) -> Workspace:
    loaded = load_project(project)
    target = graph_target(loaded, loaded.environment("dev"))
    return component_workspace(target, component)


@pytest.fixture
def components(tmp_path: Path) -> Path:
    need_terraform()
    return copy_fixture("components", tmp_path)


def test_state_outputs_are_read_on_first_use_and_once(components: Path) -> None:
    cli = Cli(components)
    assert cli("apply", "dev", "--yes", "-c", "network").exit_code == 0
    lazy = StateOutputs(_workspace(components, "network"))
    changed = cli("apply", "dev", "--yes", "-c", "network", "--set", "network.cidr=10.9.0.0/16")
    assert changed.exit_code == 0  # after the mapping was made, before its first use: seen
    assert lazy["vpc_id"].value == "vpc-10-9-0-0-16"
    assert cli("apply", "dev", "--yes", "-c", "network").exit_code == 0
    assert dict(lazy)["vpc_id"].value == "vpc-10-9-0-0-16"  # after its first use: not read again
    assert len(lazy) == 2 and lazy["token"].sensitive


def test_the_state_object_read_directly_says_what_terraform_says(
    components: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = _workspace(components, "network")
    assert state_document(workspace) == {}  # no state yet: no outputs, no serial
    assert current_outputs(workspace) == {}
    assert current_state_info(workspace).serial is None
    assert Cli(components)("apply", "dev", "--yes", "-c", "network").exit_code == 0
    workspace.ensure_init()
    assert state_document(workspace) is not None  # read without terraform
    info, outputs = current_state_and_outputs(workspace)
    assert outputs == read_outputs(workspace.terraform) and outputs["token"].sensitive
    assert info == read_state_info(workspace.terraform) and info.serial is not None
    monkeypatch.setenv("TF_WORKSPACE", "other")  # never passed on: terraform's is "default"
    assert state_document(workspace) == state_document(_workspace(components, "network"))


def test_a_backend_with_settings_of_its_own_is_read_through_terraform(components: Path) -> None:
    hcl = components / "environments" / "dev" / "environment.hcl"
    hcl.write_text(
        hcl.read_text().replace(
            'path = "state/dev/{component}/terraform.tfstate"',
            'path          = "state/dev/{component}/terraform.tfstate"\n  workspace_dir = "ws"',
        )
    )
    assert Cli(components)("apply", "dev", "--yes", "-c", "network").exit_code == 0
    workspace = _workspace(components, "network")
    assert state_document(workspace) is None  # not the plain layout this reader knows
    assert current_outputs(workspace)["vpc_id"].value == "vpc-10-0-0-0-16"  # terraform's
