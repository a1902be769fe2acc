"""envman plan / apply of an environment made of components (DESIGN section 10)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from envman.commands import AppContext, emit_json
from envman.commands.review import ReviewOutput
from envman.errors import EXIT_CHANGES, EXIT_OK, EXIT_REFUSED, EnvmanError, UsageError
from envman.graph.apply import (
    GraphApply,
    apply_graph,
    audit_fields,
    begin_graph_release,
    touched,
)
from envman.graph.gate import check_graph_apply
from envman.graph.plan import ComponentRun, GraphTarget, plan_graph
from envman.graph.reconcile import locked_graph
from envman.graph.review import review_graph
from envman.graph.select import graph_target, with_dependents, with_pins
from envman.planning import PlannedRun
from envman.protect.confirm import ConfirmOptions, confirm_change
from envman.protect.windows import check_windows
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Kind, Release
from envman.runs.folder import finish_run
from envman.runs.session import console_say
from envman.say import say_on_stderr
from envman.timeutil import now


@dataclass(frozen=True)
class GraphRequest:
    """What a plan or apply of a component environment was asked for."""

    environment: str
    components: tuple[str, ...] = ()
    changed: str | None = None  # --changed REF
    sets: tuple[str, ...] = ()
    parallel: int = 2
    as_json: bool = False
    detailed_exitcode: bool = False
    confirm: ConfirmOptions = field(default_factory=ConfirmOptions)
    break_glass: str | None = None
    allow_destroy: tuple[str, ...] = ()
    review: ReviewOutput = field(default_factory=ReviewOutput)  # plan: --diff, markdown, report
    pins: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # (--pin, --unpin) names
    use_plan: bool = False  # apply --plan: the plans saved by the last `envman plan ENV`


def _target(ctx: AppContext, request: GraphRequest) -> GraphTarget:
    project = ctx.project
    env = project.environment(request.environment)
    only = list(request.components)
    if request.changed is not None:
        from envman.graph.changed import changed_components

        base = graph_target(project, env, (), (), request.parallel)
        only = with_dependents(base, changed_components(base, request.changed))
        if request.components:
            only = [n for n in only if n in request.components]
        if not only:
            return GraphTarget(project, env, base.components, base.names, [], {}, request.parallel)
    target = graph_target(project, env, only, request.sets, request.parallel)
    return with_pins(target, *request.pins)


def _write_markdown(text: str) -> None:
    print(text, end="", flush=True)


def run_graph_plan(ctx: AppContext, request: GraphRequest) -> int:
    if request.as_json and request.review.fmt == "markdown":
        raise UsageError(
            "--json and --format markdown both print a document on stdout",
            hint="use --json with --report FILE",
        )
    target = _target(ctx, request)
    console = ctx.console(json_mode=request.as_json)
    store = store_for(target.env)
    ledger = Ledger(store, target.env.name)
    # the components' inits share the operation lock: held once for the whole graph plan
    with locked_graph(ctx.project, target.env, store, "plan", console_say(console)):
        runs = plan_graph(target, ledger) if target.targets else {}
    try:
        if not request.as_json:
            show_graph_plan(console, target, runs)
        reasons = review_graph(target.env.name, runs, request.review, console, _write_markdown)
        if runs:
            from envman.graph.saved import save_graph_plan

            save_graph_plan(target, runs)
            offer = not request.as_json and request.review.fmt != "markdown" and not reasons
            if offer:  # a plan the guard would refuse is never offered for applying
                console.print(f"Saved plan: apply it with `envman apply {target.env.name} --plan`.")
    finally:
        finish_all(runs)  # never applied: the plans (they hold secrets) go
    if request.as_json:
        document = plan_document(target, runs)
        document["review"] = {"refused": bool(reasons), "reasons": reasons}
        emit_json(document)
    if reasons:
        console.print(f"Applying this plan would be refused: {'; '.join(reasons)}", markup=False)
        return EXIT_REFUSED
    changed = bool(touched(runs))
    return EXIT_CHANGES if request.detailed_exitcode and changed else EXIT_OK


def plan_document(target: GraphTarget, runs: dict[str, ComponentRun]) -> dict[str, Any]:
    components: dict[str, Any] = {}
    for name, run in runs.items():
        if run.planned is None:
            components[name] = {"deferred": True, "planned_after": list(run.waits_for)}
            continue
        streamed = run.planned.streamed
        components[name] = {
            "deferred": False,
            "changes": streamed.summary.has_changes,
            "summary": streamed.summary.as_dict(),
            "output_changes": sorted(run.changed_outputs),
            "pins": run.planned.recorded_inputs,
            "values": run.planned.inputs.values,
        }
    return {
        "environment": target.env.name,
        "changes": bool(touched(runs)),
        "components": components,
        "order": target.targets,
    }


def show_graph_plan(console: Console, target: GraphTarget, runs: dict[str, ComponentRun]) -> None:
    if not runs:
        console.print(f"No component of '{target.env.name}' to plan.")
    for name, run in runs.items():
        if run.planned is None:
            after = ", ".join(run.waits_for)
            console.print(f"  {name}: planned after {after} applies", markup=False)
        else:
            text = run.planned.streamed.summary.text()
            console.print(f"  {name}: {text}", markup=False)
    for name in target.targets:
        if name in target.follow and name not in runs:
            console.print(f"  {name}: not planned (its inputs do not change)", markup=False)


def run_graph_apply(ctx: AppContext, request: GraphRequest) -> int:
    project = ctx.project
    env = project.environment(request.environment)
    console = ctx.console(json_mode=request.as_json)
    rules = check_windows(env, "apply", now(), request.break_glass, say_on_stderr)
    store = store_for(env)
    say = console_say(console)
    with locked_graph(project, env, store, "apply", say) as lease:
        target = _target(ctx, request)
        gate = check_graph_apply(target, request.break_glass, saved=request.use_plan)
        for line in gate.warnings:
            say_on_stderr(line)
        ledger = Ledger(store, env.name)
        runs = _apply_runs(target, ledger, request)
        job = GraphApply(target, ledger, runs, say, lease=lease)
        job.review = _reviewer(console, request.allow_destroy)
        try:
            show_graph_plan(console, target, runs)
            names = touched(runs)
            if not names:
                console.print(f"Nothing to apply: '{env.name}' already matches.")
                return EXIT_OK
            _review_all(job, names)
            confirm_change(env.name, env.protected, request.confirm, Kind.APPLY)
            extra = audit_fields(
                request.break_glass, [*rules, *gate.rules], tuple(request.allow_destroy)
            )
            if gate.bypass:
                extra["promotion_bypass"] = list(gate.bypass)
            release, code = _apply_confirmed(job, names, extra, console)
        finally:
            finish_all(runs)  # unapplied plans hold secrets
    if request.as_json:
        emit_json({"environment": env.name, "release": release.to_json()})
    return code


def _apply_runs(
    target: GraphTarget, ledger: Ledger, request: GraphRequest
) -> dict[str, ComponentRun]:
    if not request.use_plan:
        return plan_graph(target, ledger) if target.targets else {}
    from envman.graph.saved import load_graph_plan

    if request.sets or any(request.pins) or request.components:
        raise UsageError(
            "--set, --pin, --unpin and -c cannot be combined with --plan",
            hint="give them to `envman plan`",
        )
    return load_graph_plan(target, ledger)


def _review_all(job: GraphApply, names: list[str]) -> None:
    """Guard and policies on every plan shown, before the confirmation (exit 3)."""
    for name in names:
        planned = job.runs[name].planned
        if planned is not None and job.review is not None:
            job.review(planned)


def _apply_confirmed(
    job: GraphApply, names: list[str], extra: dict[str, Any], console: Console
) -> tuple[Release, int]:
    """After the confirmation: before_apply hooks, the release, the graph apply, then after
    hooks, verification and notifications (DESIGN sections 4 and 6)."""
    from envman.graph.after import after_graph_apply, announce
    from envman.graph.autorollback import auto_rollback, wants_rollback
    from envman.hooks import run_hooks

    env = job.target.env
    run_hooks(env, "before_apply", {})  # after confirmation, right before terraform applies
    release = begin_graph_release(job, names, **extra)
    try:
        apply_graph(job, release, names)
    except EnvmanError as exc:
        announce(job, release, f"{job.kind}_failed", [str(exc)])
        raise
    console.print(f"Applied release #{release.seq} of '{env.name}'.")
    code = after_graph_apply(job, release, job.say)
    if wants_rollback(job, code):  # the caller that sees the failed verification rolls back
        auto_rollback(job, release, job.review)
    return release, code


@dataclass(frozen=True)
class ChangeRequest:
    """A promotion (target, --from) or a rollback (environment, --to) of a component env."""

    environment: str | None
    source: str | None = None
    to_seq: int | None = None
    dry_run: bool = False
    confirm: ConfirmOptions = field(default_factory=ConfirmOptions)
    break_glass: str | None = None
    as_json: bool = False


def run_graph_promote(ctx: AppContext, request: ChangeRequest) -> int:
    from envman.graph.promote import plan_graph_promotion
    from envman.releases.promote import promotion_target

    env = promotion_target(ctx.project, request.environment)
    return _run_change(ctx, env.name, request, Kind.PROMOTE, plan_graph_promotion)


def run_graph_rollback(ctx: AppContext, request: ChangeRequest) -> int:
    from envman.graph.promote import plan_graph_rollback

    name = str(request.environment)
    return _run_change(ctx, name, request, Kind.ROLLBACK, plan_graph_rollback)


def _run_change(ctx: AppContext, name: str, request: ChangeRequest, kind: Kind, make: Any) -> int:
    project = ctx.project
    env = project.environment(name)
    console = ctx.console(json_mode=request.as_json)
    if not request.dry_run:
        check_windows(
            env,
            "promote" if kind == Kind.PROMOTE else "rollback",
            now(),
            request.break_glass,
            say_on_stderr,
        )
    store = store_for(env)
    say = console_say(console)
    with locked_graph(project, env, store, str(kind), say) as lease:
        argument = request.source if kind == Kind.PROMOTE else request.to_seq
        change = make(project, env, argument)
        for ref, old, new in change.changes:
            console.print(f"  {ref}: {old} → {new}", markup=False, highlight=False)
        ledger = Ledger(store, env.name)
        runs = plan_graph(change.target, ledger) if change.target.targets else {}
        job = GraphApply(change.target, ledger, runs, say, kind=kind, lease=lease)
        job.review = _reviewer(console, ())
        try:
            show_graph_plan(console, change.target, runs)
            names = touched(runs)
            if request.dry_run or not names:
                console.print("Dry run: nothing changed." if names else f"Nothing to {kind}.")
                return EXIT_OK
            _review_all(job, names)
            confirm_change(env.name, env.protected, request.confirm, kind)
            release, code = _apply_confirmed(job, names, _change_fields(change, ledger), console)
        finally:
            finish_all(runs)
    if request.as_json:
        emit_json({"environment": env.name, "release": release.to_json()})
    return code


def _change_fields(change: Any, ledger: Ledger) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if change.source is not None:
        extra["source"] = change.source.model_dump()
    if change.rollback_to is not None:
        current = ledger.current()
        extra["target_seq"] = change.rollback_to.seq
        extra["rollback_of"] = current.seq if current is not None else None
    return extra


def finish_all(runs: dict[str, ComponentRun]) -> None:
    """Every component run of this command ends: its unapplied plan is deleted."""
    for run in runs.values():
        if run.planned is not None and run.planned.run is not None:
            finish_run(run.planned.run)


def _reviewer(
    console: Console, allow_destroy: tuple[str, ...]
) -> Callable[[PlannedRun], list[str]]:
    from envman.guard.review import review_before_apply

    return lambda planned: review_before_apply(planned, allow_destroy, console)
