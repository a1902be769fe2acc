"""Rollback: a real planned apply of an earlier release's inputs (docs/releases.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from envman.errors import EnvmanError, UsageError
from envman.input_values import Source
from envman.planning import Pins, PlanInputs, PlannedRun, input_options, plan_environment
from envman.protect.confirm import ConfirmOptions
from envman.releases.ledger import Ledger
from envman.releases.models import Kind, Release
from envman.releases.pipeline import DeployResult, DeploySpec, deploy_planned
from envman.releases.record import set_status
from envman.releases.versions import (
    change_lines,
    recorded_values,
    value_changes,
)
from envman.terraform.progress import Progress
from envman.workspace import Workspace


def same_values(a: Release, b: Release) -> bool:
    """Whether two releases ran with the same values (their pins, for older records)."""
    if a.values is not None and b.values is not None:
        return recorded_values(a) == recorded_values(b)
    return a.inputs == b.inputs


def rollback_target(
    ledger: Ledger, to_seq: int | None, automatic: bool
) -> tuple[Release, Release | None]:
    """(target, current): the release to go back to and the one in place now."""
    current = ledger.current()
    env = ledger.environment
    if automatic:
        if current is None:
            raise EnvmanError(f"no earlier successful release of '{env}' to roll back to")
        return current, current
    if to_seq is not None:
        target = ledger.get(to_seq)
        if target.kind == "destroy":
            raise UsageError(
                f"release #{to_seq} of '{env}' is a destroy; roll back to a release that deployed",
                hint=f"see: envman history {env}",
            )
        if not target.succeeded:
            raise UsageError(
                f"release #{to_seq} of '{env}' has status {target.status}; only applied or "
                "verified releases can be rolled back to",
                hint=f"see: envman history {env}",
            )
        return target, current
    if current is None:
        last = ledger.last_successful()
        if last is not None and last.kind == "destroy":
            raise UsageError(
                f"'{env}' was destroyed by release #{last.seq}; nothing to roll back",
                hint=f"rebuild it: envman apply {env}, or envman rollback {env} --to SEQ",
            )
        raise UsageError(
            f"'{env}' has no successful release; nothing to roll back",
            hint=f"see: envman history {env}",
        )
    found = ledger.previous_successful(current.seq)
    while found is not None and same_values(found, current):
        found = ledger.previous_successful(found.seq)
    if found is None:
        raise UsageError(
            f"nothing to roll back to: '{env}' has no successful release before #{current.seq} "
            "with other inputs",
            hint=f"see: envman history {env}",
        )
    return found, current


@dataclass(frozen=True)
class RollbackOptions:
    """A rollback: to release ``to_seq`` (default: the one before the current), or
    ``automatic`` after release ``failed_seq`` failed verification."""

    to_seq: int | None = None
    automatic: bool = False
    failed_seq: int | None = None
    confirm: ConfirmOptions = field(default_factory=ConfirmOptions)
    dry_run: bool = False
    allow_destroy: tuple[str, ...] = ()


@dataclass
class RollbackPlan:
    """A planned rollback: what it goes back to, what it changes, the notes to show."""

    target: Release
    current: Release | None
    planned: PlannedRun
    changes: list[tuple[str, str, str]]
    notes: list[str]  # "note: ..." lines for the user about the restored values
    progress: Progress


def plan_rollback(workspace: Workspace, ledger: Ledger, options: RollbackOptions) -> RollbackPlan:
    """Plan the rollback; nothing is said (``envman.releases.rollback_view`` shows it) and,
    unless ``deploy_rollback`` follows, nothing changes."""
    automatic, failed_seq = options.automatic, options.failed_seq
    target, current = rollback_target(ledger, options.to_seq, automatic)
    progress = Progress(workspace.env.name, "Planning")
    restored, notes = restored_values(workspace, target)
    input_opts = input_options(
        workspace, override_source=Source.ROLLBACK, override_origin=f"#{target.seq}"
    )
    with progress:
        given = PlanInputs(
            typed_overrides=restored, pins=Pins(dict(target.inputs), target.seq), options=input_opts
        )
        planned = plan_environment(workspace, given, on_event=progress)
    before = current if not automatic else None
    if automatic and failed_seq is not None:
        before = ledger.get(failed_seq)
    changes = value_changes(before, planned.inputs)
    return RollbackPlan(target, current, planned, changes, notes, progress)


def deploy_rollback(
    ledger: Ledger, plan: RollbackPlan, options: RollbackOptions, console: Console
) -> DeployResult:
    automatic, current = options.automatic, plan.current
    spec = DeploySpec(
        kind=Kind.ROLLBACK,
        confirm=options.confirm,
        target_seq=plan.target.seq,
        rollback_of=options.failed_seq if automatic else (current.seq if current else None),
        automatic=automatic,
        version_lines=change_lines(plan.changes, "rolled back"),
        allow_destroy=options.allow_destroy,
    )
    result = deploy_planned(ledger, plan.planned, spec, console, plan.progress)
    if not automatic and current is not None and result.release is not None:
        # the undone release is no longer a rollback target
        set_status(ledger, current, "rolled_back", warn=spec.warn)
    return result


def restored_values(workspace: Workspace, target: Release) -> tuple[dict[str, Any], list[str]]:
    """Release TARGET's recorded values of the variables the stack still declares, and the
    notes to show about them. A record written before every value was recorded has only its
    pins: say so."""
    declared = workspace.stack.variables
    sensitive = workspace.stack.sensitive_variables()
    if target.values is None:
        note = (
            f"note: release #{target.seq} was recorded before envman kept every value; only its "
            f"pinned inputs are restored, the rest comes from the current code"
        )
        pins = {k: v for k, v in target.inputs.items() if k in declared and k not in sensitive}
        return pins, [note]
    restored: dict[str, Any] = {}
    for name, entry in target.values.items():
        if name in declared and name not in sensitive and "value" in entry:
            restored[name] = entry["value"]
    notes: list[str] = []
    added = sorted(n for n in declared if n not in target.values and n not in sensitive)
    if added:
        notes.append(
            f"note: {', '.join(added)} did not exist in release #{target.seq}: "
            "from its current source"
        )
    gone = sorted(n for n in target.values if n not in declared)
    if gone:
        notes.append(
            f"note: the stack no longer declares {', '.join(gone)} (recorded in #{target.seq})"
        )
    return restored, notes
