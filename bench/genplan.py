"""Write synthetic `terraform show -json` plans of N resources (for the scale benchmark)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def resource(index: int) -> dict[str, Any]:
    action = ("create", "update", "no-op", "delete")[index % 4]
    before = (
        None
        if action == "create"
        else {
            "id": f"r-{index}",
            "tags": {"n": str(index)},
            "size": index % 7,
            "name": f"res-{index}",
        }
    )
    after = (
        None
        if action == "delete"
        else {
            "id": f"r-{index}",
            "tags": {"n": str(index + 1)},
            "size": index % 7,
            "name": f"res-{index}",
        }
    )
    return {
        "address": f"module.m{index % 50}.aws_s3_bucket.b[{index}]",
        "module_address": f"module.m{index % 50}",
        "mode": "managed",
        "type": "aws_s3_bucket",
        "name": "b",
        "index": index,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {
            "actions": [action],
            "before": before,
            "after": after,
            "after_unknown": {},
            "before_sensitive": {},
            "after_sensitive": {},
        },
    }


def plan(count: int) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "resource_changes": [resource(i) for i in range(count)],
        "resource_drift": [resource(i) for i in range(0, count, 20)],
        "output_changes": {"o": {"actions": ["no-op"], "before": "x", "after": "x"}},
        "configuration": {"root_module": {}},
    }


def main() -> None:
    count = int(sys.argv[1])
    out = Path(sys.argv[2])
    out.write_text(json.dumps(plan(count)))


if __name__ == "__main__":
    main()
