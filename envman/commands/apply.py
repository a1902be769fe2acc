"""envman apply ENV: plan (or take the saved plan), confirm, apply, record, verify."""

from __future__ import annotations

from envman.commands import AppContext
from envman.display import show_plan
from envman.errors import EXIT_OK, UsageError
from envman.inputs import RunInputs, parse_set
from envman.planning import PlannedRun, discard_saved_plan, load_saved_plan, plan_environment
from envman.protect.confirm import ConfirmOptions
from envman.protect.windows import check_windows
from envman.releases.autorollback import run_auto_rollback
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.pipeline import DeploySpec, deploy_planned
from envman.runs.folder import finish_run
from envman.runs.session import console_say, locked_operation
from envman.terraform.models import PlanSummary
from envman.terraform.plan import StreamedPlan
from envman.terraform.progress import Progress
from envman.timeutil import now
from envman.workspace import Workspace


def run_apply(
    ctx: AppContext,
    name: str,
    sets: list[str],
    use_saved_plan: bool,
    confirm: ConfirmOptions,
    break_glass: str | None,
) -> int:
    overrides = parse_set(sets)
    if use_saved_plan and overrides:
        raise UsageError("--set cannot be combined with --plan", hint="give --set to `envman plan`")
    project = ctx.project
    env = project.environment(name)
    workspace = Workspace(project, env)
    console = ctx.console()
    rules = check_windows(env, "apply", now(), break_glass)
    store = store_for(env)
    with locked_operation(workspace, store, "apply", console_say(console)) as lease:
        ledger = Ledger(store, env.name)
        progress = Progress(name, "Planning")
        if use_saved_plan:
            planned = _saved(workspace)
            console.print(f"Applying the saved plan of '{name}': {planned.streamed.summary.text()}")
        else:
            with progress:
                planned = plan_environment(workspace, overrides=overrides, on_event=progress)
            show_plan(console, planned)
        spec = DeploySpec(
            kind="apply",
            confirm=confirm,
            break_glass=break_glass,
            break_glass_rules=tuple(rules),
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
    return result.exit_code if result.release is not None else EXIT_OK


def _saved(workspace: Workspace) -> PlannedRun:
    run, meta = load_saved_plan(workspace)
    run.claim()
    counts = meta.get("summary") or {}
    streamed = StreamedPlan(
        summary=PlanSummary(
            add=int(counts.get("add", 0)),
            change=int(counts.get("change", 0)),
            destroy=int(counts.get("destroy", 0)),
            replace=int(counts.get("replace", 0)),
            outputs_changed=int(counts.get("outputs_changed", 0)),
        )
    )
    inputs = RunInputs(
        var_files=(),
        pinned=dict(meta.get("recorded_inputs") or {}),
        pinned_from=meta.get("current_seq"),
        digest=str(meta.get("inputs_digest")),
    )
    return PlannedRun(
        workspace,
        inputs,
        run.plan_file,
        streamed,
        str(meta.get("stack_digest")),
        meta.get("current_seq"),
        run=run,
        plan_sha256=str(meta.get("plan_sha256") or ""),
    )
