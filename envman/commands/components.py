"""envman plan / apply of an environment made of components (docs/components.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from rich.console import Console

from envman.commands import AppContext, emit_json, emit_text
from envman.commands.orphan_report import say_orphans
from envman.commands.requests import PromoteRequest, RollbackRequest
from envman.commands.results import plan_document as single_plan_document
from envman.commands.results import result_document
from envman.display import show_changes_by_address
from envman.errors import EXIT_CHANGES, EXIT_OK, EXIT_REFUSED, EnvmanError, UsageError
from envman.flow.review import Planned, ReviewOutput, review_stacks
from envman.graph.apply import (
    GraphApply,
    apply_graph,
    audit_fields,
    begin_graph_release,
    touched,
)
from envman.graph.gate import check_graph_apply
from envman.graph.plan import ComponentRun, GraphTarget, plan_graph, remember_component_inputs
from envman.graph.reconcile import locked_graph
from envman.graph.select import graph_target, with_dependents, with_pins
from envman.input_values import show
from envman.planning import PlannedRun
from envman.protect.confirm import ConfirmOptions, confirm_change
from envman.protect.windows import check_windows
from envman.releases.gate import GateResult, check_promote_source
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Kind, Release
from envman.releases.promote import promotion_target
from envman.releases.rollback import mark_undone
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
    orphaned = say_orphans(target, ledger, request.changed)  # docs/operations.md "Orphans"
    # the components' inits share the operation lock: held once for the whole graph plan
    with locked_graph(ctx.project, target.env, store, "plan", console_say(console)):
        runs = plan_graph(target, ledger) if target.targets else {}
    try:
        if not request.as_json:
            show_graph_plan(console, target, runs)
        stacks = [
            Planned(r.planned, name, r.waits_for, frozenset(r.wired)) for name, r in runs.items()
        ] + orphaned
        reasons = review_stacks(target.env.name, stacks, request.review, console, emit_text)
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
        part = single_plan_document(run.planned)  # each component as a single stack's plan
        part.pop("environment", None)
        components[name] = {"deferred": False, **part}
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
            show_changes_by_address(console, run.planned, indent="    ")
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
        say_orphans(target, ledger)  # docs/operations.md "Orphans"
        job = GraphApply(target, ledger, runs, say, lease=lease)
        job.review = _reviewer(console, request.allow_destroy)
        try:
            show_graph_plan(console, target, runs)
            names = touched(runs)
            if not names:
                console.print(f"Nothing to apply: '{env.name}' already matches.")
                if request.as_json:
                    emit_json(result_document(env.name, Kind.APPLY, None, EXIT_OK))
                return EXIT_OK
            _review_all(job, names)
            confirm_change(env.name, env.protected, request.confirm, Kind.APPLY)
            extra = audit_fields(
                request.break_glass, [*rules, *gate.rules], tuple(request.allow_destroy)
            )
            if gate.bypass:
                extra["promotion_bypass"] = list(gate.bypass)
            job.break_glass = request.break_glass if "break_glass" in extra else None
            release, code = _apply_confirmed(job, names, extra, console)
        finally:
            finish_all(runs)  # unapplied plans hold secrets
    if request.as_json:
        emit_json(result_document(env.name, Kind.APPLY, release, code))
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
    """Guard and policies on every plan shown, before the confirmation (exit 3); then the
    drift each apply will keep in its state, said one line each (recorded per component)."""
    from envman.drift.absorbed import absorbed_by_apply, absorbed_lines, absorbed_record

    for name in names:
        planned = job.runs[name].planned
        if planned is not None and job.review is not None:
            job.review(planned)
    for name in names:
        planned = job.runs[name].planned
        if planned is None or job.kind == Kind.DESTROY:
            continue
        kept = absorbed_by_apply(planned, say_on_stderr)
        for line in absorbed_lines(kept):
            say_on_stderr(f"{name}: {line}")
        if kept:
            job.absorbed[name] = absorbed_record(kept)


def _apply_confirmed(
    job: GraphApply, names: list[str], extra: dict[str, Any], console: Console
) -> tuple[Release, int]:
    """After the confirmation: before_apply hooks, the release, the graph apply, then after
    hooks, verification and notifications (docs/operations.md)."""
    from envman.graph.after import after_graph_apply, announce
    from envman.graph.autorollback import auto_rollback, wants_rollback
    from envman.hooks import run_hooks

    env = job.target.env
    remember_component_inputs(job.target)
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
class ChangeRun:
    """A promotion or a rollback of a component environment, as the CLI asked for it."""

    kind: Kind
    environment: str
    argument: str | int | None  # promote: the source (--from); rollback: --to SEQ
    dry_run: bool
    confirm: ConfirmOptions
    break_glass: str | None
    allow_destroy: tuple[str, ...]
    as_json: bool
    gate: GateResult = field(default_factory=GateResult)


def run_graph_promote(ctx: AppContext, request: PromoteRequest) -> int:
    """`promote` of a component environment: the source's gates as for a single stack
    (self-promotion, a destroyed source, promotion_only on --from), then the change."""
    env = promotion_target(ctx.project, request.target)
    promotion = env.config.promotion
    source = request.source or (promotion.source if promotion is not None else None)
    gate = GateResult()
    if source is not None:
        if source == env.name:
            raise UsageError(f"cannot promote '{env.name}' into itself")
        gate = check_promote_source(env, source, request.break_glass)
        for line in gate.warnings:
            say_on_stderr(line)
    change = ChangeRun(
        Kind.PROMOTE,
        env.name,
        request.source,
        request.dry_run,
        request.confirm,
        request.break_glass,
        request.allow_destroy,
        request.as_json,
        gate,
    )
    return _run_change(ctx, change)


def run_graph_rollback(ctx: AppContext, request: RollbackRequest) -> int:
    change = ChangeRun(
        Kind.ROLLBACK,
        request.environment,
        request.to_seq,
        request.dry_run,
        request.confirm,
        None,
        request.allow_destroy,
        request.as_json,
    )
    return _run_change(ctx, change)


def _run_change(ctx: AppContext, request: ChangeRun) -> int:
    from envman.graph.promote import plan_graph_promotion, plan_graph_rollback

    project = ctx.project
    env = project.environment(request.environment)
    kind = request.kind
    console = ctx.console(json_mode=request.as_json)
    rules: list[str] = []
    if not request.dry_run:
        what: Literal["promote", "rollback"] = "promote" if kind == Kind.PROMOTE else "rollback"
        rules = check_windows(env, what, now(), request.break_glass, say_on_stderr)
    store = store_for(env)
    say = console_say(console)
    release, code = None, EXIT_OK
    with locked_graph(project, env, store, str(kind), say) as lease:
        if kind == Kind.PROMOTE:
            change = plan_graph_promotion(project, env, cast("str | None", request.argument))
        else:
            change = plan_graph_rollback(project, env, cast("int | None", request.argument))
        _show_change(console, env.name, change)
        ledger = Ledger(store, env.name)
        runs = plan_graph(change.target, ledger) if change.target.targets else {}
        job = GraphApply(change.target, ledger, runs, say, kind=kind, lease=lease)
        job.review = _reviewer(console, request.allow_destroy)
        try:
            show_graph_plan(console, change.target, runs)
            names = touched(runs)
            if request.dry_run or not names:
                console.print("Dry run: nothing changed." if names else f"Nothing to {kind}.")
            else:
                _review_all(job, names)
                confirm_change(env.name, env.protected, request.confirm, kind)
                extra = audit_fields(
                    request.break_glass, [*rules, *request.gate.rules], request.allow_destroy
                )
                if request.gate.bypass:
                    extra["promotion_bypass"] = list(request.gate.bypass)
                job.break_glass = request.break_glass if "break_glass" in extra else None
                extra.update(_change_fields(change, ledger))
                undone = ledger.current()
                release, code = _apply_confirmed(job, names, extra, console)
                if kind == Kind.ROLLBACK and change.rollback_to is not None:
                    mark_undone(ledger, change.rollback_to, undone, say)
        finally:
            finish_all(runs)
    if request.as_json:
        emit_json(result_document(env.name, kind, release, code, dry_run=request.dry_run))
    return code


def _show_change(console: Console, env_name: str, change: Any) -> None:
    for note in change.notes:
        console.print(note, markup=False, highlight=False)
    for ref, old, new in change.changes:
        console.print(f"  {ref}: {show(old)} → {show(new)}", markup=False, highlight=False)


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
