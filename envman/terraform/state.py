"""`terraform state pull`: serial and lineage of the environment's state."""

from __future__ import annotations

import json
from dataclasses import dataclass

from envman.terraform.runner import Terraform


@dataclass(frozen=True)
class StateInfo:
    serial: int | None
    lineage: str | None

    def as_dict(self) -> dict[str, object]:
        return {"serial": self.serial, "lineage": self.lineage}


def read_state_info(tf: Terraform) -> StateInfo:
    done = tf.run(["state", "pull"], what="terraform state pull")
    try:
        data = json.loads(done.stdout or b"{}")
    except ValueError:
        return StateInfo(None, None)
    if not isinstance(data, dict):
        return StateInfo(None, None)
    serial = data.get("serial")
    return StateInfo(int(serial) if isinstance(serial, int) else None, data.get("lineage"))
