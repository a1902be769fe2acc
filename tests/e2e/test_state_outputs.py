"""Reading a state's outputs: from one `state pull` after an apply, and lazily after a plan
(envman/terraform/state.py, envman/graph/lazyoutputs.py). Real terraform, local state."""

from __future__ import annotations

from pathlib import Path

import pytest

from envman.graph.lazyoutputs import StateOutputs
from envman.terraform.binary import find_binary
from envman.terraform.output import read_outputs
from envman.terraform.runner import Terraform, base_environment
from envman.terraform.state import read_state_and_outputs, read_state_info
from tests.helpers import need_terraform

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


def test_state_outputs_are_read_on_first_use_and_once(tf: Terraform) -> None:
    apply(tf, "v1")
    lazy = StateOutputs(tf)
    apply(tf, "v2")  # after the mapping was made, before its first use: seen
    assert lazy["tag"].value == "v2"
    apply(tf, "v3")  # after its first use: not read again
    assert dict(lazy)["tag"].value == "v2" and len(lazy) == 2 and "secret" in lazy
