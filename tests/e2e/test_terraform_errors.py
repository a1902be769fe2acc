"""terraform's failures arrive typed (envman/terraform/errors.py), from the real binary."""

from __future__ import annotations

from pathlib import Path

import pytest

from envman.terraform.binary import find_binary
from envman.terraform.errors import (
    MissingVariable,
    StateLocked,
    UndeclaredVariable,
    classify,
    lock_info,
)
from envman.terraform.runner import Diagnostic, Follow, Terraform, base_environment
from tests.helpers import need_terraform

STACK = """
variable "x" {
  type = string
}

resource "terraform_data" "a" {
  input = var.x
}
"""


@pytest.fixture
def tf(tmp_path: Path) -> Terraform:
    need_terraform()
    stack = tmp_path / "stack"
    stack.mkdir()
    (stack / "main.tf").write_text(STACK)
    return Terraform(find_binary(), stack, base_environment(tmp_path / "data", None))


def test_a_missing_variable_is_typed_and_named(tf: Terraform) -> None:
    with pytest.raises(MissingVariable) as caught:
        tf.run(["plan", "-json", "-input=false"], follow=Follow(lambda _: None))
    assert caught.value.variable == "x"
    assert "--set x=VALUE" in str(caught.value)


def test_an_undeclared_variable_is_typed(tf: Terraform) -> None:
    with pytest.raises(UndeclaredVariable) as caught:
        tf.run(
            ["plan", "-json", "-input=false", "-var=x=1", "-var=y=2"], follow=Follow(lambda _: None)
        )
    assert caught.value.variable == "y"


def test_a_held_lock_names_its_holder() -> None:
    detail = (
        "ConditionalCheckFailedException\nLock Info:\n  ID:        1234-abcd\n"
        "  Path:      b/k\n  Operation: OperationTypeApply\n  Who:       alice@ci\n"
        "  Version:   1.11.4\n  Created:   2026-01-01 10:00:00\n  Info:\n"
    )
    diagnostic = Diagnostic("error", "Error acquiring the state lock", detail)
    assert lock_info(diagnostic)["who"] == "alice@ci"
    error = classify("terraform plan failed", [diagnostic], environment="dev", waited="30s")
    assert isinstance(error, StateLocked)
    assert "alice@ci" in str(error) and "1234-abcd" in str(error)
    assert "envman unlock dev 1234-abcd --confirm dev" in str(error)
    assert classify("x", [Diagnostic("error", "Something else")]) is None


def test_a_held_lock_of_a_component_names_it_in_the_unlock_hint() -> None:
    detail = "Lock Info:\n  ID:        5678-ef\n  Who:       bob@ci\n"
    diagnostic = Diagnostic("error", "Error acquiring the state lock", detail)
    error = classify("terraform plan failed", [diagnostic], environment="dev", component="app")
    assert isinstance(error, StateLocked)
    assert "envman unlock dev 5678-ef -c app --confirm dev" in str(error)
