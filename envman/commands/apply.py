"""envman apply ENV: plan (or take the saved plan), confirm, apply, record, verify."""

from __future__ import annotations

from dataclasses import replace

from envman.commands import AppContext, emit_json
from envman.commands.requests import ApplyRequest
from envman.commands.results import deploy_document
from envman.display import show_plan
from envman.errors import EXIT_OK, UsageError
from envman.inputs import parse_set
from envman.planning import (
    PlanInputs,
    PlannedRun,
    discard_saved_plan,
    input_options,
    load_saved_plan,
    plan_environment,
    saved_planned_run,
)
from envman.protect.windows import check_windows
from envman.releases.autorollback import run_auto_rollback
from envman.releases.gate import GateResult, check_apply
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Kind
from envman.releases.pipeline import DeploySpec, deploy_planned
from envman.runs.folder import finish_run
from envman.runs.session import console_say, locked_operation
from envman.say import say_on_stderr
from envman.terraform.progress import Progress
from envman.timeutil import now
from envman.workspace import Workspace


def run_apply(ctx: AppContext, request: ApplyRequest) -> int:
    from envman.commands.shape import apply_graph_request, has_components, single_stack

    if has_components(ctx):
        from envman.commands.components import run_graph_apply

        return run_graph_apply(ctx, apply_graph_request(request))
    single_stack(ctx, request.scope)
    return _run_single_stack(ctx, request)


def _run_single_stack(ctx: AppContext, request: ApplyRequest) -> int:
    name, break_glass = request.environment, request.break_glass
    use_saved_plan = request.use_saved_plan
    overrides = parse_set(request.sets)
    pin, unpin = frozenset(request.pins.pin), frozenset(request.pins.unpin)
    project = ctx.project
    env = project.environment(name)
    workspace = Workspace(project, env)
    console = ctx.console(json_mode=request.as_json)
    rules = check_windows(env, "apply", now(), break_glass, say_on_stderr)
    if use_saved_plan and (overrides or pin or unpin):
        raise UsageError(
            "--set, --pin and --unpin cannot be combined with --plan",
            hint="give them to `envman plan`",
        )
    gate = check_apply(env, overrides, unpin, break_glass)
    _say(gate)
    store = store_for(env)
    with locked_operation(workspace, store, "apply", console_say(console)) as lease:
        ledger = Ledger(store, env.name)
        progress = Progress(name, "Planning")
        if use_saved_plan:
            planned = _saved(workspace)
            gate = _saved_gate(planned, break_glass)
            _say(gate)
            planned.inputs = replace(planned.inputs, bypass=gate.bypass)
            console.print(f"Applying the saved plan of '{name}': {planned.streamed.summary.text()}")
        else:
            options = input_options(workspace, pin=pin, unpin=unpin, bypass=gate.bypass)
            with progress:
                given = PlanInputs(overrides=overrides, options=options)
                planned = plan_environment(workspace, given, on_event=progress)
            show_plan(console, planned)
        spec = DeploySpec(
            kind=Kind.APPLY,
            confirm=request.confirm,
            break_glass=break_glass,
            break_glass_rules=(*rules, *gate.rules),
            allow_destroy=request.allow_destroy,
            lease=lease,
        )
        try:
            result = deploy_planned(ledger, planned, spec, console, progress)
            if result.needs_rollback:  # the caller that sees the failed verification rolls back
                run_auto_rollback(workspace, ledger, result, console)
        finally:
            if not use_saved_plan:  # a refused saved plan stays for the next `apply --plan`
                discard_saved_plan(planned)
            if planned.run is not None:
                finish_run(planned.run)
    if request.as_json:
        emit_json(deploy_document(name, Kind.APPLY, result))
    return result.exit_code if result.release is not None else EXIT_OK


def _saved(workspace: Workspace) -> PlannedRun:
    run, meta = load_saved_plan(workspace)
    run.claim()
    return saved_planned_run(workspace, run, meta)


def _say(gate: GateResult) -> None:
    for line in gate.warnings:
        say_on_stderr(line)


def _saved_gate(planned: PlannedRun, break_glass: str | None) -> GateResult:
    """The promotion gate of a saved plan: its --set values and --unpin, as recorded."""
    values = planned.inputs.values
    set_names = [n for n, e in values.items() if e.get("source") == "set"]
    return check_apply(planned.workspace.env, set_names, planned.inputs.unpinned, break_glass)
