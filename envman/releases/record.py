"""Apply a saved plan and record the release around it, whatever happens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from envman.errors import EnvmanError, Interrupted
from envman.planning import PlannedRun, check_plan_digest, discard_saved_plan
from envman.releases.labels import label_for
from envman.releases.ledger import Ledger
from envman.releases.models import BreakGlass, Kind, Release, SourceRef, Status
from envman.releases.provenance import actor, envman_version, git_info
from envman.runs.folder import spend_last_plan
from envman.say import Say
from envman.secrets.redactor import redact_stored
from envman.terraform.apply import run_apply
from envman.terraform.models import OutputValue, redacted_outputs
from envman.terraform.output import read_outputs
from envman.terraform.runner import EventHandler
from envman.terraform.state import StateInfo, read_state_info
from envman.timeutil import clock_override, iso, now


@dataclass(frozen=True)
class BeginFields:
    """What a release records when it begins, beyond the plan itself."""

    inputs: dict[str, Any]
    source: SourceRef | None = None
    target_seq: int | None = None
    rollback_of: int | None = None
    break_glass: BreakGlass | None = None
    state_before: StateInfo | None = None
    allow_destroy: list[str] | None = None
    absorbed_drift: list[dict[str, Any]] | None = None  # drift the apply keeps (docs/drift.md)


def begin_release(
    ledger: Ledger, planned: PlannedRun, kind: Kind, given: BeginFields, warn: Say
) -> Release:
    """Record the release as `applying`; a replaced clock is said through ``warn``."""
    source, state_before, break_glass = given.source, given.state_before, given.break_glass
    summary = planned.streamed.summary
    fields: dict[str, Any] = {
        "environment": planned.workspace.env.name,
        "kind": kind,
        "status": "applying",
        "inputs": given.inputs,
        "source": source.model_dump() if source else None,
        "target_seq": given.target_seq,
        "rollback_of": given.rollback_of,
        "plan": summary.as_dict(),
        "actor": actor(),
        "git": git_info(planned.workspace.project.root),
        "envman_version": envman_version(),
        "started_at": iso(now()),
        "break_glass": break_glass.model_dump() if break_glass else None,
        "clock_override": clock_override(),
        "run_id": planned.run.id if planned.run is not None else None,
        "state": {
            "serial_before": state_before.serial if state_before else None,
            "lineage_before": state_before.lineage if state_before else None,
        },
        **planned.inputs.record_fields(),
    }
    fields["label"] = label_for(planned.workspace.project, ledger, fields)
    if given.allow_destroy:
        fields["allow_destroy"] = list(given.allow_destroy)
    if given.absorbed_drift:
        fields["absorbed_drift"] = list(given.absorbed_drift)
    release = ledger.begin(**fields)
    try:
        if release.clock_override is not None:
            warn(
                f"envman: warning: the clock is replaced by ENVMAN_NOW "
                f"({release.clock_override.now}; really {release.clock_override.real}): deploy "
                f"windows and soak times were judged at that time; recorded in release "
                f"#{release.seq} and announced"
            )
    except KeyboardInterrupt:  # the record exists: never left applying
        finish_release(ledger, release, "interrupted", "interrupted before terraform apply", warn)
        raise
    return release


@dataclass(frozen=True)
class ApplyCallbacks:
    """Who hears of an apply: ``warn`` (lines for the user), terraform's events, its pid."""

    warn: Say
    on_event: EventHandler | None = None
    on_start: Callable[[int], None] | None = None


def apply_recorded(
    ledger: Ledger, release: Release, planned: PlannedRun, callbacks: ApplyCallbacks
) -> tuple[Release, dict[str, OutputValue]]:
    """Apply the plan; the release ends applied, failed or interrupted — never 'applying'
    while envman lives (if it dies, the next run reconciles it from the run's event log)."""
    on_start, warn = callbacks.on_start, callbacks.warn
    workspace = planned.workspace
    tf = workspace.terraform
    run = planned.run

    def started(pid: int) -> None:
        # bookkeeping only: terraform is running now, and a failure here must not fail it
        try:
            if run is not None:
                run.record_terraform(pid)
            if on_start is not None:
                on_start(pid)
        except (EnvmanError, OSError) as exc:
            warn(f"warning: could not record terraform's pid {pid}: {exc}")

    try:
        check_plan_digest(planned)
        try:
            run_apply(
                tf,
                planned.plan_file,
                workspace.lock_timeout,
                callbacks.on_event,
                events=run.events("apply") if run is not None else None,
                on_start=started,
            )
        finally:  # an applied (or failed) plan is spent, the saved one stale; both hold secrets
            discard_saved_plan(planned)
            spend_last_plan(workspace.env.work_dir)
    except Interrupted as exc:
        finish_release(ledger, release, "interrupted", str(exc), warn)
        raise
    except KeyboardInterrupt:
        finish_release(ledger, release, "interrupted", "interrupted", warn)
        raise
    except EnvmanError as exc:
        finish_release(ledger, release, "failed", str(exc), warn)
        raise
    except BaseException as exc:
        finish_release(ledger, release, "failed", f"{type(exc).__name__}: {exc}", warn)
        raise
    outputs: dict[str, OutputValue] = {}
    error = None
    try:
        outputs = read_outputs(tf)
        after = read_state_info(tf)
        release.state.serial_after = after.serial
        release.state.lineage_after = after.lineage
    except EnvmanError as exc:
        error = f"applied, but reading outputs/state failed: {exc}"
    release.outputs = redacted_outputs(outputs)
    finish_release(ledger, release, "applied", error, warn)
    return release, outputs


def finish_release(
    ledger: Ledger, release: Release, status: str, error: str | None, warn: Say | None = None
) -> str | None:
    """Record how the apply ended; a failed write is reported (returned, and said through
    ``warn``), never raised: what follows (verification, rollback, notifications) must still
    run, and the next run reconciles the record from the run's event log."""
    release.status = Status(status)
    release.finished_at = iso(now())
    release.error = redact_stored(error) if error else None
    changes = {
        "status": status,
        "finished_at": release.finished_at,
        "error": release.error,
        "outputs": release.outputs,
        "state": release.state.model_dump(),
    }
    return _write(ledger, release, changes, warn)


def set_status(
    ledger: Ledger, release: Release, status: str, *, warn: Say | None = None, **extra: Any
) -> str | None:
    """A conditional status update (retried on conflict); a failure is returned (and said
    through ``warn``), not raised."""
    release.status = Status(status)
    for key, value in extra.items():
        setattr(release, key, value)
    return _write(ledger, release, {"status": status, **extra}, warn)


def _write(
    ledger: Ledger, release: Release, changes: dict[str, Any], warn: Say | None
) -> str | None:
    try:
        ledger.update(release.seq, changes)
    except EnvmanError as exc:
        problem = (
            f"could not record release #{release.seq} as {release.status}: {exc} "
            "(the next run of the environment reconciles it)"
        )
        if warn is not None:
            warn(f"warning: {problem}")
        return problem
    return None
