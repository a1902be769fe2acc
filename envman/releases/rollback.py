"""Rollback: a real planned apply of an earlier release's inputs (DESIGN section 5)."""

from __future__ import annotations

from rich.console import Console

from envman.display import show_plan, version_table
from envman.errors import EnvmanError, UsageError
from envman.planning import Pins, plan_environment
from envman.protect.confirm import ConfirmOptions
from envman.releases.ledger import Ledger
from envman.releases.models import Kind, Release
from envman.releases.pipeline import DeployResult, DeploySpec, deploy_planned
from envman.releases.record import set_status
from envman.terraform.progress import Progress
from envman.workspace import Workspace


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
        if not target.succeeded:
            raise UsageError(
                f"release #{to_seq} of '{env}' has status {target.status}; only applied or "
                "verified releases can be rolled back to",
                hint=f"see: envman history {env}",
            )
        return target, current
    if current is None:
        raise UsageError(
            f"'{env}' has no successful release; nothing to roll back",
            hint=f"see: envman history {env}",
        )
    found = ledger.previous_successful(current.seq)
    while found is not None and found.inputs == current.inputs:
        found = ledger.previous_successful(found.seq)
    if found is None:
        raise UsageError(
            f"nothing to roll back to: '{env}' has no successful release before #{current.seq} "
            "with other inputs",
            hint=f"see: envman history {env}",
        )
    return found, current


def rollback_environment(
    workspace: Workspace,
    ledger: Ledger,
    *,
    to_seq: int | None,
    console: Console,
    automatic: bool = False,
    failed_seq: int | None = None,
    confirm: ConfirmOptions | None = None,
    dry_run: bool = False,
) -> DeployResult | None:
    target, current = rollback_target(ledger, to_seq, automatic)
    env = workspace.env
    progress = Progress(env.name, "Planning")
    with progress:
        planned = plan_environment(
            workspace, pins=Pins(dict(target.inputs), target.seq), on_event=progress
        )
    before = current.inputs if current is not None and not automatic else {}
    if automatic and failed_seq is not None:
        failed = ledger.get(failed_seq)
        before = failed.inputs
    names = sorted(set(before) | set(target.inputs))
    sensitive = workspace.stack.sensitive_variables()
    version_table(
        console,
        f"Rollback of {env.name} to release #{target.seq}",
        [(n, before.get(n), target.inputs.get(n)) for n in names],
        sensitive,
    )
    show_plan(console, planned)
    if dry_run:
        console.print("Dry run: nothing changed.")
        return None
    spec = DeploySpec(
        kind=Kind.ROLLBACK,
        confirm=confirm or ConfirmOptions(),
        target_seq=target.seq,
        rollback_of=failed_seq if automatic else (current.seq if current else None),
        automatic=automatic,
        version_lines=tuple(
            f"{n}: {before.get(n)} → {target.inputs.get(n)}"
            for n in names
            if n not in sensitive and before.get(n) != target.inputs.get(n)
        ),
    )
    result = deploy_planned(ledger, planned, spec, console, progress)
    if not automatic and current is not None and result.release is not None:
        # the undone release is no longer a rollback target
        set_status(ledger, current, "rolled_back")
    return result
