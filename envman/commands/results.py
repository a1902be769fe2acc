"""The `--json` result of apply, promote and rollback: one document on stdout.

    {"environment", "kind", "dry_run", "changed", "exit_code",
     "release": <the release record, or null when nothing changed>,
     "verification": {"ok", "checks"} or null,
     "auto_rollback": <the automatic rollback's release record> or null}

Everything else those commands say goes to stderr while --json is on. The release record is
the one in the ledger: sensitive outputs are already only ``{"sensitive": true}``.
"""

from __future__ import annotations

from typing import Any

from envman.planning import PlannedRun
from envman.releases.models import Release
from envman.terraform.models import changes_nothing


def result_document(
    environment: str,
    kind: str,
    release: Release | None,
    exit_code: int,
    *,
    dry_run: bool = False,
    auto_rollback: Release | None = None,
) -> dict[str, Any]:
    """The same document from a run that keeps its outcome in the release record."""
    return {
        "environment": environment,
        "kind": kind,
        "dry_run": dry_run,
        "changed": release is not None,
        "exit_code": exit_code if release is not None else 0,
        "release": release.to_json() if release is not None else None,
        "verification": release.verification if release is not None else None,
        "auto_rollback": auto_rollback.to_json() if auto_rollback is not None else None,
    }


def plan_document(planned: PlannedRun) -> dict[str, Any]:
    """The --json document: summary, changes by address, inputs (sensitive redacted).

    All of it comes from the plan's streamed messages: a `show -json` would start the provider
    again (~2 s) for nothing more."""
    workspace = planned.workspace
    streamed = planned.streamed
    sensitive = workspace.stack.sensitive_variables()
    return {
        "environment": workspace.env.name,
        "changes": planned.streamed.summary.has_changes,
        "summary": planned.streamed.summary.as_dict(),
        "resource_changes": [
            {"address": address, "action": action}
            for address, action in streamed.planned
            if not changes_nothing(action)
        ],
        "output_changes": sorted(
            n for n, action in streamed.output_actions.items() if not changes_nothing(action)
        ),
        "pinned_from": planned.inputs.pinned_from,
        "inputs": {
            k: ("<sensitive>" if k in sensitive else v)
            for k, v in sorted({**planned.inputs.pinned, **planned.inputs.overrides}.items())
        },
        "values": planned.inputs.values,
        "pins": planned.recorded_inputs,
        "pin_conflicts": list(planned.inputs.conflicts),
        "plan_file": str(planned.plan_file),
    }
