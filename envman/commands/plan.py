"""envman plan ENV: plan with pinned inputs and --set, save the plan for `apply --plan`."""

from __future__ import annotations

import sys

from envman.commands import AppContext, emit_json, emit_text
from envman.commands.requests import PlanRequest
from envman.commands.results import plan_document
from envman.display import show_plan
from envman.errors import EXIT_CHANGES, EXIT_OK, EXIT_REFUSED, UsageError
from envman.flow.review import Planned, review_stacks
from envman.guard.review import has_review
from envman.inputs import parse_set
from envman.planning import PlanInputs, input_options, plan_environment, save_plan_meta
from envman.releases.gate import promoted_variables
from envman.runs.folder import finish_run
from envman.terraform.progress import Progress
from envman.workspace import Workspace


def run_plan(ctx: AppContext, request: PlanRequest) -> int:
    from envman.commands.shape import has_components, plan_graph_request, single_stack

    if has_components(ctx):
        from envman.commands.components import run_graph_plan

        return run_graph_plan(ctx, plan_graph_request(request))
    single_stack(ctx, request.scope)
    return _run_single_stack(ctx, request)


def _run_single_stack(ctx: AppContext, request: PlanRequest) -> int:
    name, as_json, output = request.environment, request.as_json, request.output
    pins = request.pins
    output.check()
    if as_json and output.fmt == "markdown":
        raise UsageError(
            "--json and --format markdown both print a document on stdout",
            hint="use --json with --report FILE",
        )
    overrides = parse_set(request.sets)
    project = ctx.project
    workspace = Workspace(project, project.environment(name))
    machine = as_json or output.fmt == "markdown"  # stdout carries a document
    console = ctx.console(json_mode=machine)
    progress = Progress(name, "Planning", quiet=machine and not ctx.verbose)
    bypass = sorted((set(overrides) | set(pins.unpin)) & promoted_variables(workspace.env))
    if bypass:
        print(
            f"envman: warning: {', '.join(bypass)} of '{name}' changes only by promotion; "
            "applying this plan bypasses it"
            + (
                " and needs --break-glass" if workspace.env.config.protection.promotion_only else ""
            ),
            file=sys.stderr,
        )
    options = input_options(workspace, pin=frozenset(pins.pin), unpin=frozenset(pins.unpin))
    with progress:
        planned = plan_environment(
            workspace, PlanInputs(overrides=overrides, options=options), on_event=progress
        )
    save_plan_meta(planned)
    if not as_json:
        show_plan(console, planned)
    reasons = review_stacks(name, [Planned(planned)], output, console, emit_text)
    judged = has_review(planned) and planned.streamed.summary.has_changes
    if planned.run is not None:
        finish_run(planned.run)  # prunes older runs; this one is `last-plan` and stays
    if as_json:
        document = plan_document(planned)
        if judged:
            document["review"] = {"refused": bool(reasons), "reasons": reasons}
        emit_json(document)
    elif not reasons:  # a plan the guard would refuse is never offered for applying
        console.print(f"Saved plan: apply it with `envman apply {name} --plan`.")
    if reasons:
        console.print(f"[red]Applying this plan would be refused:[/red] {'; '.join(reasons)}")
        return EXIT_REFUSED
    if request.detailed_exitcode and planned.streamed.summary.has_changes:
        return EXIT_CHANGES
    return EXIT_OK
