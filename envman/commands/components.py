"""envman plan / apply / promote / rollback: the one flow of every environment, a graph of
components; a single stack is the graph of its one implicit component (docs/architecture.md).
The shapes differ only in how they are shown and recorded."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from rich.console import Console

from envman.commands import AppContext, emit_json, emit_text
from envman.commands.orphan_report import say_orphans
from envman.commands.requests import PromoteRequest, RollbackRequest
from envman.commands.results import plan_document as single_plan_document
from envman.commands.results import result_document
from envman.config.project import Environment, Project
from envman.display import show_changes_by_address, show_plan
from envman.errors import EXIT_CHANGES, EXIT_OK, EXIT_REFUSED, UsageError
from envman.flow.review import Planned, ReviewOutput, review_stacks
from envman.graph.apply import (
    GraphApply,
    audit_fields,
    begin_graph_release,
    touched,
)
from envman.graph.gate import check_graph_apply, plan_bypass_warning
from envman.graph.plan import ComponentRun, GraphTarget, plan_graph, remember_component_inputs
from envman.graph.promote import GraphChange
from envman.graph.reconcile import locked_graph
from envman.graph.select import graph_target, with_dependents, with_pins
from envman.guard.review import has_review
from envman.planning import PlannedRun
from envman.protect.confirm import ConfirmOptions, confirm_change
from envman.protect.windows import check_windows
from envman.releases.gate import GateResult, check_promote_source
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import IMPLICIT, Kind, Release
from envman.releases.promote import promotion_target
from envman.releases.rollback import mark_undone
from envman.releases.versions import change_lines, sensitive_notes, show_changes
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
    machine = request.as_json or request.review.fmt == "markdown"  # stdout carries a document
    console = ctx.console(json_mode=machine)
    warning = plan_bypass_warning(target)
    if warning:
        say_on_stderr(warning)
    store = store_for(target.env)
    ledger = Ledger(store, target.env.name)
    # the components' inits share the operation lock: held once for the whole graph plan (a
    # single stack's one init takes it itself, so its plan runs beside an apply as ever)
    lock = (
        contextlib.nullcontext()
        if target.implicit
        else locked_graph(ctx.project, target.env, store, "plan", console_say(console))
    )
    with lock:
        runs = plan_graph(target, ledger) if target.targets else {}
    try:
        orphaned = say_orphans(target, ledger, request.changed)  # docs/operations.md "Orphans"
        if not request.as_json:
            show_graph_plan(console, target, runs)
        stacks = [
            Planned(r.planned, name or None, r.waits_for, frozenset(r.wired))
            for name, r in runs.items()
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
        emit_json(plan_document(target, runs, reasons))
    if reasons:
        console.print(f"Applying this plan would be refused: {'; '.join(reasons)}", markup=False)
        return EXIT_REFUSED
    changed = bool(touched(runs))
    return EXIT_CHANGES if request.detailed_exitcode and changed else EXIT_OK


def plan_document(
    target: GraphTarget, runs: dict[str, ComponentRun], reasons: list[str]
) -> dict[str, Any]:
    """The `plan --json` document: a single stack's plan, or one per component."""
    review = {"refused": bool(reasons), "reasons": reasons}
    single = runs.get(IMPLICIT)
    if target.implicit and single is not None and single.planned is not None:
        document = single_plan_document(single.planned)
        planned = single.planned
        if has_review(planned) and planned.streamed.summary.has_changes:
            document["review"] = review
        return document
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
        "review": review,
    }


def show_graph_plan(console: Console, target: GraphTarget, runs: dict[str, ComponentRun]) -> None:
    single = runs.get(IMPLICIT)
    if target.implicit and single is not None and single.planned is not None:
        show_plan(console, single.planned)
        return
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
            _show_apply(console, job, request.use_plan)
            names = touched(runs, ledger)
            if not names:
                console.print(f"Nothing to apply: '{env.name}' already matches.")
                if request.as_json:
                    emit_json(result_document(env.name, Kind.APPLY, None, EXIT_OK))
                return EXIT_OK
            allowed = _review_all(job, names)
            confirm_change(env.name, env.protected, request.confirm, Kind.APPLY)
            extra = audit_fields(request.break_glass, [*rules, *gate.rules], allowed)
            if gate.bypass:
                extra["promotion_bypass"] = list(gate.bypass)
            job.break_glass = request.break_glass if "break_glass" in extra else None
            outcome = _apply_confirmed(job, names, extra, console)
        finally:
            finish_all(runs)  # unapplied plans hold secrets
    if request.as_json:
        emit_json(outcome.document(env.name, Kind.APPLY))
    return outcome.code


def _show_apply(console: Console, job: GraphApply, saved: bool) -> None:
    single = job.runs.get(IMPLICIT)
    if saved and job.target.implicit and single is not None and single.planned is not None:
        summary = single.planned.streamed.summary.text()
        console.print(f"Applying the saved plan of '{job.target.env.name}': {summary}")
        return
    show_graph_plan(console, job.target, job.runs)


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


def _review_all(job: GraphApply, names: list[str]) -> tuple[str, ...]:
    """Guard and policies on every plan shown, before the confirmation (exit 3); then the
    drift each apply will keep in its state, said one line each (recorded per component).
    Returns the addresses --allow-destroy let through (recorded)."""
    from envman.drift.absorbed import absorbed_by_apply, absorbed_lines, absorbed_record

    allowed: list[str] = []
    for name in names:
        planned = job.runs[name].planned
        if planned is not None and job.review is not None:
            allowed.extend(job.review(planned))
    for name in names:
        planned = job.runs[name].planned
        if planned is None or job.kind == Kind.DESTROY:
            continue
        kept = absorbed_by_apply(planned, say_on_stderr)
        prefix = f"{name}: " if name != IMPLICIT else ""
        for line in absorbed_lines(kept):
            say_on_stderr(f"{prefix}{line}")
        if kept:
            job.absorbed[name] = absorbed_record(kept)
    return tuple(dict.fromkeys(allowed))


@dataclass(frozen=True)
class Outcome:
    """What a deploy ended with: its release, exit code and automatic rollback."""

    release: Release | None
    code: int = EXIT_OK
    auto_rollback: Release | None = None

    def document(self, environment: str, kind: str, *, dry_run: bool = False) -> dict[str, Any]:
        return result_document(
            environment,
            kind,
            self.release,
            self.code,
            dry_run=dry_run,
            auto_rollback=self.auto_rollback,
        )


def _apply_confirmed(
    job: GraphApply, names: list[str], extra: dict[str, Any], console: Console
) -> Outcome:
    """After the confirmation: before_apply hooks, the release, the graph apply, then after
    hooks, verification and notifications (docs/operations.md)."""
    from envman.graph.after import after_graph_apply, apply_announced
    from envman.graph.autorollback import auto_rollback, wants_rollback
    from envman.hooks import run_hooks

    env = job.target.env
    remember_component_inputs(job.target)
    run_hooks(env, "before_apply", {})  # after confirmation, right before terraform applies
    release = begin_graph_release(job, names, **extra)
    apply_announced(job, release, names)
    console.print(f"Applied release #{release.seq} of '{env.name}'.")
    code = after_graph_apply(job, release, job.say)
    back = None
    if wants_rollback(job, code):  # the caller that sees the failed verification rolls back
        back = auto_rollback(job, release, job.review)
    return Outcome(release, code, back)


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
    outcome = Outcome(None)
    with locked_graph(project, env, store, str(kind), say) as lease:
        change = _planned_change(project, env, request)
        ledger = Ledger(store, env.name)
        runs = plan_graph(change.target, ledger) if change.target.targets else {}
        job = GraphApply(change.target, ledger, runs, say, kind=kind, lease=lease)
        job.review = _reviewer(console, request.allow_destroy)
        job.version_lines = change_lines(change.rows, _VERBS[kind])
        try:
            show_change(console, change, runs)
            names = touched(runs, ledger)
            if request.dry_run or not names:
                done = f"Nothing to {kind}: '{env.name}' already matches."
                console.print("Dry run: nothing changed." if names else done)
            else:
                allowed = _review_all(job, names)
                confirm_change(env.name, env.protected, request.confirm, kind)
                extra = audit_fields(request.break_glass, [*rules, *request.gate.rules], allowed)
                if request.gate.bypass:
                    extra["promotion_bypass"] = list(request.gate.bypass)
                job.break_glass = request.break_glass if "break_glass" in extra else None
                extra.update(_change_fields(change, ledger))
                undone = ledger.current()
                outcome = _apply_confirmed(job, names, extra, console)
                if kind == Kind.ROLLBACK and change.rollback_to is not None:
                    mark_undone(ledger, change.rollback_to, undone, say)
        finally:
            finish_all(runs)
    if request.as_json:
        emit_json(outcome.document(env.name, kind, dry_run=request.dry_run))
    return outcome.code


_VERBS = {Kind.PROMOTE: "promoted", Kind.ROLLBACK: "rolled back"}


def _planned_change(project: Project, env: Environment, request: ChangeRun) -> GraphChange:
    from envman.graph.promote import plan_graph_promotion, plan_graph_rollback

    if request.kind == Kind.PROMOTE:
        return plan_graph_promotion(project, env, cast("str | None", request.argument))
    return plan_graph_rollback(project, env, cast("int | None", request.argument))


def show_change(console: Console, change: GraphChange, runs: dict[str, ComponentRun]) -> None:
    """What a promotion or rollback carries: notes on restored values, the value table, notes
    on sensitive values (they come from their current source), then the plans."""
    for note in change.notes:
        console.print(note, markup=False, highlight=False)
    show_changes(console, change.title, change.rows)
    if change.rollback_to is not None:
        for run in runs.values():
            if run.planned is not None:
                for note in sensitive_notes(run.planned.inputs, change.rollback_to.seq):
                    console.print(f"note: {note}", markup=False, highlight=False)
    show_graph_plan(console, change.target, runs)


def _change_fields(change: GraphChange, ledger: Ledger) -> dict[str, Any]:
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
