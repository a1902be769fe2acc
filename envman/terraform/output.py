"""`terraform output -json`: the environment's outputs as recorded in its state."""

from __future__ import annotations

import json

from envman.errors import TerraformError
from envman.terraform.models import OutputValue, outputs_from_json, secured_outputs
from envman.terraform.runner import Terraform


def build_output_args() -> list[str]:
    return ["output", "-json", "-no-color"]


def read_outputs(tf: Terraform) -> dict[str, OutputValue]:
    done = tf.run(build_output_args(), what="terraform output")
    try:
        data = json.loads(done.stdout or b"{}")
    except ValueError as exc:
        raise TerraformError(f"terraform output -json returned invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise TerraformError("terraform output -json did not return an object")
    outputs = outputs_from_json(data)
    return secured_outputs(outputs)
