"""`terraform state pull`: serial and lineage of the environment's state (and its outputs)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from envman.terraform.models import OutputValue, outputs_from_json, secured_outputs
from envman.terraform.runner import Terraform


@dataclass(frozen=True)
class StateInfo:
    serial: int | None
    lineage: str | None

    def as_dict(self) -> dict[str, object]:
        return {"serial": self.serial, "lineage": self.lineage}


def _pull(tf: Terraform) -> dict[str, Any]:
    done = tf.run(["state", "pull"], what="terraform state pull")
    try:
        data = json.loads(done.stdout or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def state_info(data: dict[str, Any]) -> StateInfo:
    serial = data.get("serial")
    return StateInfo(int(serial) if isinstance(serial, int) else None, data.get("lineage"))


def read_state_info(tf: Terraform) -> StateInfo:
    return state_info(_pull(tf))


def read_state_and_outputs(tf: Terraform) -> tuple[StateInfo, dict[str, OutputValue]]:
    """Serial, lineage and outputs from one `state pull` (the state's `outputs` have the shape
    of `terraform output -json`): one terraform process where two were run."""
    data = _pull(tf)
    raw = data.get("outputs")
    outputs = outputs_from_json(raw if isinstance(raw, dict) else {})
    return state_info(data), secured_outputs(outputs)
