"""The deploy pipeline shared by apply, promote and rollback, as one readable sequence.

plan (done by the caller) -> show (the caller) -> confirm -> before_apply hooks -> record
`applying` -> apply -> record `applied` -> after hooks -> verify (`verified` / `verify_failed`)
-> notify. Nothing that changes anything runs before confirmation. The automatic rollback
after a failed verification is run by the command that sees it (``DeployResult.needs_rollback``),
never from inside this step. A failed status write is reported and never skips verification,
rollback or notifications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from envman.drift.absorbed import absorbed_by_apply, absorbed_lines, absorbed_record
from envman.errors import EXIT_OK, EXIT_VERIFY_FAILED, EnvmanError
from envman.flow.after import Announcer, after_apply
from envman.guard.review import review_before_apply
from envman.hooks import run_hooks
from envman.planning import PlannedRun
from envman.protect.confirm import ConfirmOptions, confirm_change
from envman.releases.ledger import Ledger
from envman.releases.models import BreakGlass, Kind, Release, SourceRef
from envman.releases.oplock import OperationLock, held_here
from envman.releases.record import (
    ApplyCallbacks,
    BeginFields,
    apply_recorded,
    begin_release,
    finish_release,
)
from envman.say import Say, say_on_stderr
from envman.terraform.models import OutputValue
from envman.terraform.progress import Progress
from envman.terraform.state import read_state_info
from envman.verify.runner import VerifyOutcome


@dataclass(frozen=True)
class DeploySpec:
    kind: Kind
    confirm: ConfirmOptions = field(default_factory=ConfirmOptions)
    break_glass: str | None = None
    break_glass_rules: tuple[str, ...] = ()
    source: SourceRef | None = None
    target_seq: int | None = None
    rollback_of: int | None = None
    automatic: bool = False
    version_lines: tuple[str, ...] = ()
    allow_destroy: tuple[str, ...] = ()  # --allow-destroy: addresses the guard lets through
    confirmer: Callable[[], None] | None = None  # the caller's own confirmation (destroy)
    lease: OperationLock | None = field(default=None, compare=False)  # the held operation lock
    warn: Say = field(default=say_on_stderr, compare=False)  # warnings: the command's stderr


@dataclass
class DeployResult:
    release: Release | None
    verify: VerifyOutcome | None = None
    auto_rollback: DeployResult | None = None
    notes: list[str] = field(default_factory=list)
    rollback_wanted: bool = False

    @property
    def needs_rollback(self) -> bool:
        """Verification failed and the environment asks for an automatic rollback."""
        return self.rollback_wanted and self.auto_rollback is None

    @property
    def exit_code(self) -> int:
        if self.verify is not None and self.verify.ran and not self.verify.ok:
            return EXIT_VERIFY_FAILED
        return EXIT_OK


def deploy_planned(
    ledger: Ledger, planned: PlannedRun, spec: DeploySpec, console: Console, progress: Progress
) -> DeployResult:
    env = planned.workspace.env
    current = ledger.current()
    if spec.kind != Kind.DESTROY and _nothing_to_do(planned, current, ledger.latest()):
        console.print(f"Nothing to {spec.kind}: '{env.name}' already matches.")
        return DeployResult(release=None)
    # guard and policies: after the plan, before confirmation, hooks and anything applied
    allowed = review_before_apply(
        planned, spec.allow_destroy, console, destroy_run=spec.kind == Kind.DESTROY
    )
    absorbed = absorbed_by_apply(planned, spec.warn) if spec.kind != Kind.DESTROY else []
    for line in absorbed_lines(absorbed):  # drift the apply keeps: said here, recorded below
        spec.warn(line)
    _confirm(planned, spec)
    if spec.kind != Kind.DESTROY:
        run_hooks(env, "before_apply", {})  # after confirmation, right before terraform applies
    _check_lease(ledger, planned, spec)
    release = _record_applying(ledger, planned, spec, allowed, absorbed_record(absorbed))
    release, outputs = _apply(ledger, release, planned, spec, (console, progress))
    console.print(f"Applied release #{release.seq} of '{env.name}'.")
    announce = _announcer(env, spec)
    if spec.kind == Kind.DESTROY:
        announce(str(spec.kind), release, f"{env.name} destroyed", list(spec.version_lines))
        return DeployResult(release=release)
    previous = current.outputs if current is not None else None
    after = after_apply(ledger, release, outputs, previous, announce, spec.warn)
    if after.verify.ran:
        console.print(after.verify.summary())
    for problem in after.problems:  # a failed status write: said, never raised
        spec.warn(f"warning: {problem}")
    result = DeployResult(release=release, verify=after.verify, notes=after.problems)
    result.rollback_wanted = after.rollback_wanted
    return result


def _nothing_to_do(planned: PlannedRun, current: Release | None, latest: Release | None) -> bool:
    """No resource changes and the same pins (pins dropped by --unpin are a change), and the
    newest record is the current release: after a failed or interrupted run (whose terraform
    may well have finished), applying records what the state holds now."""
    if latest is not None and (current is None or latest.seq != current.seq):
        return False
    inputs = planned.recorded_inputs
    unchanged_inputs = current.inputs == inputs if current is not None else not inputs
    return not planned.streamed.summary.has_changes and unchanged_inputs


def _confirm(planned: PlannedRun, spec: DeploySpec) -> None:
    env = planned.workspace.env
    if spec.confirmer is not None:
        spec.confirmer()
    elif not spec.automatic:
        confirm_change(env.name, env.protected, spec.confirm, spec.kind)


def _lease(ledger: Ledger, spec: DeploySpec) -> OperationLock | None:
    return spec.lease or held_here(ledger.store)


def _check_lease(ledger: Ledger, planned: PlannedRun, spec: DeploySpec) -> None:
    """The operation lock this run holds is still ours (else stop), and names the run."""
    lease = _lease(ledger, spec)
    if lease is not None:
        lease.check()
        if planned.run is not None:
            lease.renew(run_id=planned.run.id)
            lease.check()


def _record_applying(
    ledger: Ledger,
    planned: PlannedRun,
    spec: DeploySpec,
    allowed: list[str],
    absorbed: list[dict[str, Any]],
) -> Release:
    break_glass = (
        BreakGlass(reason=spec.break_glass, rules=list(spec.break_glass_rules))
        if spec.break_glass and spec.break_glass_rules
        else None
    )
    given = BeginFields(
        inputs=planned.recorded_inputs,
        source=spec.source,
        target_seq=spec.target_seq,
        rollback_of=spec.rollback_of,
        break_glass=break_glass,
        state_before=read_state_info(planned.workspace.terraform),
        allow_destroy=allowed,
        absorbed_drift=absorbed,
    )
    return begin_release(ledger, planned, spec.kind, given, spec.warn)


def _apply(
    ledger: Ledger,
    release: Release,
    planned: PlannedRun,
    spec: DeploySpec,
    output: tuple[Console, Progress],
) -> tuple[Release, dict[str, OutputValue]]:
    env = planned.workspace.env
    summary = planned.streamed.summary
    console, progress = output
    try:  # from the moment the record exists: a signal never leaves it applying
        console.print(f"Recording release #{release.seq} ({spec.kind}) of '{env.name}'")
        lease = _lease(ledger, spec)
        progress.set_verb("Applying", summary.add + summary.change + summary.destroy)
        with progress:
            callbacks = ApplyCallbacks(
                spec.warn, on_event=progress, on_start=lease.attach_child if lease else None
            )
            return apply_recorded(ledger, release, planned, callbacks)
    except KeyboardInterrupt:  # a signal before terraform started: never left applying
        if release.status == "applying":
            finish_release(
                ledger, release, "interrupted", "interrupted before terraform apply", spec.warn
            )
        raise
    except EnvmanError as exc:
        _announcer(env, spec).failed(release, str(exc))
        raise


def _announcer(env: Any, spec: DeploySpec) -> Announcer:
    reason = spec.break_glass if spec.break_glass_rules else None
    return Announcer(env, spec.kind, reason, version_lines=spec.version_lines)
