"""Write synthetic `terraform show -json` plans of N resources (for the scale benchmark).

Shaped like terraform's own documents: ``planned_values`` and ``prior_state`` repeat the values
of ``resource_changes`` (as terraform writes them), one resource in 20 has drifted, and the
actions cycle through create, update, no-op and delete.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def values(index: int, generation: int) -> dict[str, Any]:
    return {
        "id": f"r-{index}",
        "bucket": f"res-{index}",
        "tags": {"n": str(index + generation), "team": "platform"},
        "size": index % 7,
        "arn": f"arn:aws:s3:::res-{index}",
    }


def resource(index: int) -> dict[str, Any]:
    action = ("create", "update", "no-op", "delete")[index % 4]
    before = None if action == "create" else values(index, 0)
    after = None if action == "delete" else values(index, 1 if action == "update" else 0)
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
            "after_unknown": {"arn": action == "create"},
            "before_sensitive": {},
            "after_sensitive": {},
        },
    }


def state_resource(index: int, generation: int) -> dict[str, Any]:
    return {
        "address": f"module.m{index % 50}.aws_s3_bucket.b[{index}]",
        "mode": "managed",
        "type": "aws_s3_bucket",
        "name": "b",
        "index": index,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "schema_version": 0,
        "values": values(index, generation),
        "sensitive_values": {"tags": {}},
    }


def plan(count: int) -> dict[str, Any]:
    changes = [resource(i) for i in range(count)]
    planned = [state_resource(i, 1 if i % 4 == 1 else 0) for i in range(count) if i % 4 != 3]
    prior = [state_resource(i, 0) for i in range(count) if i % 4 != 0]
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "variables": {"environment": {"value": "bench"}},
        "planned_values": {"root_module": {"resources": planned}},
        "resource_drift": [resource(i) for i in range(1, count, 20)],
        "resource_changes": changes,
        "output_changes": {"o": {"actions": ["no-op"], "before": "x", "after": "x"}},
        "prior_state": {"values": {"root_module": {"resources": prior}}},
        "configuration": {"root_module": {}},
        "errored": False,
    }


def main() -> None:
    count = int(sys.argv[1])
    out = Path(sys.argv[2])
    out.write_text(json.dumps(plan(count)))


if __name__ == "__main__":
    main()
