"""envman plan ENV: plan with pinned inputs and --set, save the plan for `apply --plan`."""

from __future__ import annotations

from typing import Any

from envman.commands import AppContext, emit_json
from envman.display import show_plan
from envman.errors import EXIT_CHANGES, EXIT_OK
from envman.inputs import parse_set
from envman.planning import PlannedRun, plan_environment, save_plan_meta
from envman.runs.folder import finish_run
from envman.terraform.plan import NOOP_ACTIONS
from envman.terraform.progress import Progress
from envman.workspace import Workspace


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
            if action not in NOOP_ACTIONS
        ],
        "output_changes": sorted(
            n for n, action in streamed.output_actions.items() if action not in NOOP_ACTIONS
        ),
        "pinned_from": planned.inputs.pinned_from,
        "inputs": {
            k: ("<sensitive>" if k in sensitive else v)
            for k, v in sorted({**planned.inputs.pinned, **planned.inputs.overrides}.items())
        },
        "plan_file": str(planned.plan_file),
    }


def run_plan(
    ctx: AppContext, name: str, sets: list[str], as_json: bool, detailed_exitcode: bool
) -> int:
    overrides = parse_set(sets)
    project = ctx.project
    workspace = Workspace(project, project.environment(name))
    console = ctx.console(json_mode=as_json)
    progress = Progress(name, "Planning", quiet=as_json and not ctx.verbose)
    with progress:
        planned = plan_environment(workspace, overrides=overrides, on_event=progress)
    save_plan_meta(planned)
    if planned.run is not None:
        finish_run(planned.run)  # prunes older runs; this one is `last-plan` and stays
    if as_json:
        emit_json(plan_document(planned))
    else:
        show_plan(console, planned)
        console.print(f"Saved plan: apply it with `envman apply {name} --plan`.")
    if detailed_exitcode and planned.streamed.summary.has_changes:
        return EXIT_CHANGES
    return EXIT_OK
