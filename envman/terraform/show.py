"""`terraform show -json` of a saved plan, read into typed models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from envman.errors import TerraformError
from envman.terraform.models import Plan
from envman.terraform.runner import Terraform


def build_show_args(plan_file: Path) -> list[str]:
    return ["show", "-json", "-no-color", str(plan_file)]


def show_plan(tf: Terraform, plan_file: Path) -> Plan:
    return show_plan_with_json(tf, plan_file)[0]


def show_plan_with_json(tf: Terraform, plan_file: Path) -> tuple[Plan, dict[str, Any]]:
    """The typed plan and the raw document (for the parts the models do not cover)."""
    done = tf.run(build_show_args(plan_file), what="terraform show")
    try:
        data = json.loads(done.stdout)
    except ValueError as exc:
        raise TerraformError(f"terraform show -json returned invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise TerraformError("terraform show -json did not return an object")
    return Plan.from_json(data), data
