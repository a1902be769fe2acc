"""The deploy pipeline shared by apply, promote and rollback.

plan (done by the caller) -> show -> confirm -> record `applying` -> apply -> record `applied`
-> after hooks -> verify (`verified` / `verify_failed`, automatic rollback) -> notify.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from envman.errors import EXIT_OK, EXIT_VERIFY_FAILED, EnvmanError
from envman.guard.review import review_before_apply
from envman.hooks import run_hooks
from envman.notify.dispatch import Notification, notify
from envman.planning import PlannedRun
from envman.protect.confirm import ConfirmOptions, confirm_change
from envman.releases.ledger import Ledger
from envman.releases.models import BreakGlass, Kind, Release, SourceRef
from envman.releases.record import apply_recorded, begin_release, finish_release, set_status
from envman.terraform.progress import Progress
from envman.terraform.state import read_state_info
from envman.verify.runner import VerifyOutcome, verify_environment

# after_apply follows every terraform apply (so migrations also run on promote and rollback);
# after_promote / after_rollback follow it for their kind only.
HOOK_EVENTS = {
    "apply": ("after_apply",),
    "promote": ("after_apply", "after_promote"),
    "rollback": ("after_apply", "after_rollback"),
    "destroy": (),  # nothing is left to migrate or verify
}


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


@dataclass
class DeployResult:
    release: Release | None
    verify: VerifyOutcome | None = None
    auto_rollback: DeployResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.verify is not None and self.verify.ran and not self.verify.ok:
            return EXIT_VERIFY_FAILED
        return EXIT_OK


def deploy_planned(
    ledger: Ledger, planned: PlannedRun, spec: DeploySpec, console: Console, progress: Progress
) -> DeployResult:
    env = planned.workspace.env
    inputs = planned.recorded_inputs
    current = ledger.current()
    # pins dropped (--unpin) are a change even when terraform has nothing to do
    unchanged_inputs = current.inputs == inputs if current is not None else not inputs
    no_changes = not planned.streamed.summary.has_changes
    if spec.kind != "destroy" and no_changes and unchanged_inputs:
        console.print(f"Nothing to {spec.kind}: '{env.name}' already matches.")
        return DeployResult(release=None)
    # guard and policies: after the plan, before confirmation, hooks and anything applied
    allowed_destroy = review_before_apply(
        planned, spec.allow_destroy, console, destroy_run=spec.kind == "destroy"
    )
    if spec.confirmer is not None:
        spec.confirmer()
    elif not spec.automatic:
        confirm_change(env.name, env.protected, spec.confirm, spec.kind)
    if spec.kind != "destroy":
        run_hooks(env, "before_apply", {})  # after confirmation (DESIGN section 4)
    tf = planned.workspace.terraform
    break_glass = (
        BreakGlass(reason=spec.break_glass, rules=list(spec.break_glass_rules))
        if spec.break_glass and spec.break_glass_rules
        else None
    )
    release = begin_release(
        ledger,
        planned,
        spec.kind,
        inputs=inputs,
        source=spec.source,
        target_seq=spec.target_seq,
        rollback_of=spec.rollback_of,
        break_glass=break_glass,
        state_before=read_state_info(tf),
        allow_destroy=allowed_destroy,
    )
    summary = planned.streamed.summary
    try:
        console.print(f"Recording release #{release.seq} ({spec.kind}) of '{env.name}'")
        progress.set_verb("Applying", summary.add + summary.change + summary.destroy)
        with progress:
            release, outputs = apply_recorded(ledger, release, planned, progress)
    except (
        KeyboardInterrupt
    ):  # a signal before terraform started: the record must not stay applying
        if release.status == "applying":
            finish_release(ledger, release, "interrupted", "interrupted before terraform apply")
        raise
    except EnvmanError as exc:
        _notify(
            env,
            f"{spec.kind}_failed",
            spec,
            release,
            f"{spec.kind} of {env.name} failed",
            [str(exc)],
        )
        raise
    console.print(f"Applied release #{release.seq} of '{env.name}'.")
    event = next(iter(HOOK_EVENTS[spec.kind]), "")
    try:
        for event in HOOK_EVENTS[spec.kind]:
            run_hooks(env, event, outputs)
    except EnvmanError as exc:
        set_status(ledger, release, "failed", error=f"hook failed: {exc}")
        _notify(
            env,
            f"{spec.kind}_failed",
            spec,
            release,
            f"{event} hook failed on {env.name}",
            [str(exc)],
        )
        raise
    if spec.kind == "destroy":
        _notify(env, spec.kind, spec, release, f"{env.name} destroyed", list(spec.version_lines))
        return DeployResult(release=release)
    previous_outputs = current.outputs if current is not None else None
    outcome = verify_environment(env, outputs, previous_outputs)
    result = DeployResult(release=release, verify=outcome)
    if outcome.ran:
        status = "verified" if outcome.ok else "verify_failed"
        set_status(
            ledger, release, status, verification={"ok": outcome.ok, "checks": outcome.checks}
        )
        console.print(outcome.summary())
    if outcome.ran and not outcome.ok:
        _notify(
            env,
            "verify_failed",
            spec,
            release,
            f"verification failed on {env.name}",
            [outcome.summary()],
        )
        config = env.config.verify
        if config is not None and config.on_failure == "rollback" and not spec.automatic:
            result.auto_rollback = _auto_rollback(ledger, planned, release, console)
        return result
    _notify(
        env,
        spec.kind,
        spec,
        release,
        f"{spec.kind} of {env.name} succeeded",
        list(spec.version_lines),
    )
    return result


def _auto_rollback(
    ledger: Ledger, planned: PlannedRun, failed: Release, console: Console
) -> DeployResult | None:
    from envman.releases.rollback import rollback_environment

    env = planned.workspace.env
    console.print(f"[red]Verification failed[/red]; rolling '{env.name}' back automatically.")
    try:
        outcome = rollback_environment(
            planned.workspace,
            ledger,
            to_seq=None,
            console=console,
            automatic=True,
            failed_seq=failed.seq,
        )
    except EnvmanError as exc:
        console.print(f"[red]Automatic rollback failed:[/red] {exc}")
        _notify(
            env,
            "rollback_failed",
            DeploySpec(kind=Kind.ROLLBACK),
            failed,
            f"automatic rollback of {env.name} failed",
            [str(exc)],
        )
        return None
    if outcome is not None and outcome.release is not None:
        _notify(
            env,
            "auto_rollback",
            DeploySpec(kind=Kind.ROLLBACK),
            outcome.release,
            f"{env.name} rolled back automatically to release #{outcome.release.target_seq}",
            [f"release #{failed.seq} failed verification"],
        )
    return outcome


def _notify(
    env: Any, event: str, spec: DeploySpec, release: Release | None, title: str, lines: list[str]
) -> None:
    notify(
        env,
        Notification(
            event=event,
            environment=env.name,
            title=title,
            lines=lines,
            release=release.to_json() if release is not None else None,
            break_glass=spec.break_glass if spec.break_glass_rules else None,
        ),
    )
