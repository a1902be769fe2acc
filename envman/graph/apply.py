"""Applying an environment's components in graph order, as one release (schema 2).

Confirmed once by the caller. Independent components apply in parallel; a deferred
component is planned once its upstreams applied and applied under the same confirmation,
unless its plan destroys or replaces something: then it is shown and confirmed again (without
a terminal: exit 3, nothing further applied). A run that stops half-way is `partial`; the
next apply plans again and carries on from there.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from envman.errors import EnvmanError, Interrupted, ProtectionRefused
from envman.graph.model import reverse_edges
from envman.graph.plan import ComponentRun, GraphTarget, Upstreams, plan_component
from envman.graph.records import (
    begin_record,
    entry_changes,
    final_changes,
    say_clock,
    state_now,
)
from envman.graph.walk import walk
from envman.planning import PlannedRun, check_plan_digest, discard_saved_plan
from envman.protect.confirm import ConfirmOptions, confirm_change, stdin_is_terminal
from envman.releases.ledger import Ledger
from envman.releases.models import (
    IMPLICIT,
    ComponentEntry,
    ComponentStatus,
    Kind,
    PlanCounts,
    Release,
    StateRef,
)
from envman.releases.oplock import OperationLock
from envman.runs.folder import finish_run, spend_last_plan
from envman.say import say_on_stderr
from envman.secrets.redactor import redact_stored
from envman.terraform.apply import run_apply
from envman.terraform.models import redacted_outputs
from envman.terraform.progress import Progress
from envman.terraform.state_direct import (
    current_outputs,
    current_state_and_outputs,
    current_state_info,
)
from envman.timeutil import iso, now

Say = Callable[[str], None]


@dataclass
class GraphApply:
    """One apply of the graph: the plans, the release, what each component did."""

    target: GraphTarget
    ledger: Ledger
    runs: dict[str, ComponentRun]
    say: Say
    kind: Kind = Kind.APPLY
    lease: OperationLock | None = None
    review: Callable[[PlannedRun], list[str]] | None = None  # guard and policies (exit 3)
    break_glass: str | None = None  # the reason, when it overrode a rule (announced)
    absorbed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # drift kept
    entries: dict[str, ComponentEntry] = field(default_factory=dict)
    version_lines: tuple[str, ...] = ()  # `image_tag: 1.2.0 → 1.3.0 (promoted)`: notified
    warn: Say = say_on_stderr  # warnings: the command's stderr
    _guard: threading.Lock = field(default_factory=threading.Lock)


def touched(
    runs: dict[str, ComponentRun], ledger: Ledger | None = None, kind: Kind = Kind.APPLY
) -> list[str]:
    """Components this run changes: a plan with changes, pins that change (a pin-only change
    is a release too), or a plan still to make. After a failed, partial or interrupted run
    a component whose apply did not end (or whose release failed verification) is recorded:
    its terraform may well have finished, and the release says what its state holds now.
    A destroy also records a component the release chain still has in place."""
    from envman.releases.chain import running_entry, unsettled

    changing = [
        name
        for name, run in runs.items()
        if run.waits_for or (run.planned is not None and _changes(run.planned))
    ]
    if ledger is None:
        return changing
    if kind == Kind.DESTROY:
        return [n for n in runs if n in changing or running_entry(ledger, n) is not None]
    return [n for n in runs if n in changing or unsettled(ledger, n)]


def _changes(planned: PlannedRun) -> bool:
    pins_move = planned.recorded_inputs != planned.inputs.pinned
    return planned.streamed.summary.has_changes or pins_move


def audit_fields(
    break_glass: str | None, rules: list[str], allow_destroy: tuple[str, ...]
) -> dict[str, Any]:
    """What a graph release records of the overrides it ran under (as a single stack's):
    the break-glass reason with the rules it overrode, the addresses the guard let through."""
    extra: dict[str, Any] = {}
    if break_glass and rules:
        extra["break_glass"] = {"reason": redact_stored(break_glass), "rules": list(rules)}
    if allow_destroy:
        extra["allow_destroy"] = list(allow_destroy)
    return extra


def begin_graph_release(job: GraphApply, names: list[str], **extra: Any) -> Release:
    """The release, recorded `applying` with an entry per component it touches."""
    planned: dict[str, PlannedRun] = {}
    for name in names:
        run = job.runs[name]
        job.entries[name] = ComponentEntry(
            status=ComponentStatus.PENDING, waits_for=list(run.waits_for) or None
        )
        if name in job.absorbed:
            job.entries[name].absorbed_drift = job.absorbed[name]
        if run.planned is not None:
            planned[name] = run.planned
    extra["project"] = job.target.project
    release = begin_record(job.ledger, job.kind, job.entries, planned, extra)
    try:
        say_clock(release, job.warn)
        _name_run(job, planned)
    except KeyboardInterrupt:  # the record exists: never left applying
        _finish(job, release, "interrupted", "interrupted before terraform apply")
        raise
    return release


def _name_run(job: GraphApply, planned: dict[str, PlannedRun]) -> None:
    """The operation lock this run holds is still ours (else stop), and names its run."""
    if job.lease is None:
        return
    job.lease.check()
    if job.target.implicit and IMPLICIT in planned:
        run = planned[IMPLICIT].run
        if run is not None:
            job.lease.renew(run_id=run.id)
            job.lease.check()


def apply_graph(job: GraphApply, release: Release, names: list[str]) -> Release:
    """Apply ``names`` in graph order; the release ends applied, partial, failed or
    interrupted. The first failure is raised after the record is written."""
    edges = job.target.components.edges()
    if job.kind == Kind.DESTROY:  # dependents go first
        edges = reverse_edges(edges)
    try:  # from the moment the record exists: a signal never leaves it applying
        job.say(f"Recording release #{release.seq} ({job.kind}) of '{job.target.env.name}'")
        result = walk(edges, names, lambda n: _apply_one(job, release, n), job.target.parallel)
    except BaseException as exc:
        _finish(job, release, "interrupted", f"interrupted: {type(exc).__name__}")
        raise
    if not result.failed:
        _finish(job, release, "applied", None)
        return release
    name, error = next(iter(result.failed.items()))
    applied = [n for n, e in job.entries.items() if e.status == ComponentStatus.APPLIED]
    status = "partial" if applied else "failed"
    if not applied and isinstance(error, Interrupted | KeyboardInterrupt):
        status = "interrupted"
    pending = [n for n, e in job.entries.items() if e.status == ComponentStatus.PENDING]
    message = str(error) if job.target.implicit else f"component '{name}': {error}"
    if applied:
        message += f"; applied: {', '.join(applied)}"
    if pending:
        message += f"; not applied: {', '.join(pending)}"
    _finish(job, release, status, message)
    raise error


def _apply_one(job: GraphApply, release: Release, name: str) -> str:
    run = job.runs[name]
    entry = job.entries[name]
    entry.started_at = iso(now())
    try:
        if run.planned is not None and _upstreams_moved(job, run):
            job.say(f"'{name}': an upstream output it was planned with changed when it applied")
            discard_saved_plan(run.planned)
            run = _plan_deferred(job, name, always_confirm=True)
        elif run.planned is None:
            run = _plan_deferred(job, name)
        planned = run.planned
        assert planned is not None
        entry.inputs = planned.recorded_inputs
        entry.values = planned.inputs.values
        entry.plan = PlanCounts(**planned.streamed.summary.as_dict())
        entry.run_id = planned.run.id if planned.run is not None else None
        if not _changes(planned):
            discard_saved_plan(planned)
            run.outputs = current_outputs(run.workspace)
            entry.outputs = redacted_outputs(run.outputs)
            state_now(run.workspace, entry)
            _set(job, release, name, status="unchanged", finished_at=iso(now()))
            return "unchanged"
        _set(job, release, name, status="applying")  # names its run, for reconciliation
        _terraform_apply(job, run, planned, entry)
    except BaseException as exc:
        status = "refused" if isinstance(exc, ProtectionRefused) else "failed"
        _set(job, release, name, status=status, error=redact_stored(str(exc)))
        raise
    done = "destroyed" if job.kind == Kind.DESTROY else "applied"
    _set(job, release, name, status=done, finished_at=iso(now()))
    return done


def _upstreams_moved(job: GraphApply, run: ComponentRun) -> bool:
    """A plan that was shown used upstream outputs that differ now their upstream applied."""
    for variable, ref in run.wired.items():
        upstream, _, output = ref.partition(".")
        current = job.runs.get(upstream)
        if current is None or output not in current.outputs:
            continue
        if current.outputs[output].value != run.used.get(variable):
            return True
    return False


def _plan_deferred(job: GraphApply, name: str, always_confirm: bool = False) -> ComponentRun:
    old = job.runs[name]
    after = ", ".join(old.waits_for or sorted({r.partition(".")[0] for r in old.wired.values()}))
    job.say(f"Planning '{name}' now that {after} applied")
    upstreams = Upstreams(job.runs, {})
    run = plan_component(job.target, job.ledger, name, upstreams, old.workspace.new_run("apply"))
    if run.planned is None:  # cannot happen: its upstreams applied
        raise EnvmanError(f"component '{name}' still waits for {', '.join(run.waits_for)}")
    job.runs[name] = run
    summary = run.planned.streamed.summary
    job.say(f"  {name}: {summary.text()}")
    if job.review is not None:
        job.review(run.planned)
    if always_confirm or summary.destroy or summary.replace:
        _confirm_again(job, name, summary.text())
    return run


def _confirm_again(job: GraphApply, name: str, summary: str) -> None:
    env = job.target.env
    if not stdin_is_terminal():
        raise ProtectionRefused(
            f"the plan of component '{name}', made again after its upstreams applied, "
            f"destroys, replaces or differs from what was shown ({summary}); it needs a new "
            "confirmation on a terminal",
            hint=f"review it: envman plan {env.name}; then run envman apply {env.name} again",
        )
    confirm_change(env.name, env.protected, ConfirmOptions(), f"apply component '{name}'")


def _terraform_apply(
    job: GraphApply, run: ComponentRun, planned: PlannedRun, entry: ComponentEntry
) -> None:
    workspace = run.workspace
    tf = workspace.terraform
    before = current_state_info(workspace)
    if job.lease is not None:
        job.lease.check()
    check_plan_digest(planned)
    folder = planned.run

    def started(pid: int) -> None:
        if folder is not None:
            folder.record_terraform(pid)
        if job.lease is not None:
            job.lease.attach_child(pid)

    summary = planned.streamed.summary
    progress = Progress(job.target.env.name, "Applying") if len(job.runs) == 1 else None
    if progress is not None:
        progress.set_verb("Applying", summary.add + summary.change + summary.destroy)
    try:
        with progress or contextlib.nullcontext():
            run_apply(
                tf,
                planned.plan_file,
                workspace.lock_timeout,
                progress,
                events=folder.events("apply") if folder is not None else None,
                on_start=started,
            )
    finally:  # an applied (or failed) plan is spent, the saved one stale; both hold secrets
        discard_saved_plan(planned)
        spend_last_plan(workspace.env.work_dir)
        if folder is not None:
            finish_run(folder)
    after, outputs = current_state_and_outputs(workspace)
    run.outputs = outputs
    run.planned = None  # applied: its outputs are now the state's
    entry.state = StateRef(
        serial_before=entry.state.serial_before if entry.state else before.serial,
        lineage_before=entry.state.lineage_before if entry.state else before.lineage,
        serial_after=after.serial,
        lineage_after=after.lineage,
    )
    entry.outputs = redacted_outputs(outputs)
    if not job.target.implicit:
        verb = "Destroyed" if job.kind == Kind.DESTROY else "Applied"
        job.say(f"{verb} component '{run.name}'.")


def _set(job: GraphApply, release: Release, name: str, **changes: Any) -> None:
    with job._guard:
        entry = job.entries[name]
        for key, value in changes.items():
            setattr(entry, key, value)
        written = entry_changes(job.entries)
        if written is not None:
            _write(job, release, written)


def _finish(job: GraphApply, release: Release, status: str, error: str | None) -> None:
    with job._guard:
        stored = redact_stored(error) if error else None
        _write(job, release, final_changes(release, job.entries, status, stored))


def _write(job: GraphApply, release: Release, changes: dict[str, Any]) -> None:
    try:
        job.ledger.update(release.seq, changes)
    except EnvmanError as exc:
        status = f" as {changes['status']}" if "status" in changes else ""
        job.say(
            f"warning: could not record release #{release.seq}{status}: {exc} "
            "(the next run of the environment reconciles it)"
        )
