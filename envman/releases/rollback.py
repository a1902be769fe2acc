"""Rollback: a real planned apply of an earlier release's inputs (docs/releases.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from envman.errors import EnvmanError, UsageError
from envman.releases.ledger import Ledger
from envman.releases.models import ComponentEntry, Release
from envman.releases.record import set_status
from envman.say import Say
from envman.workspace import Workspace


def rollback_target(
    ledger: Ledger,
    to_seq: int | None,
    automatic: bool,
    same: Callable[[Release, Release], bool],
) -> tuple[Release, Release | None]:
    """(target, current): the release to go back to and the one in place now; by default the
    newest successful release before the current one that ran with other values (``same``)."""
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
    while found is not None and same(found, current):
        found = ledger.previous_successful(found.seq)
    if found is None:
        raise UsageError(
            f"nothing to roll back to: '{env}' has no successful release before #{current.seq} "
            "with other inputs",
            hint=f"see: envman history {env}",
        )
    return found, current


def mark_undone(ledger: Ledger, goal: Release, current: Release | None, warn: Say) -> None:
    """The releases a rollback undid (after ``goal``, up to the current one) become
    `rolled_back`: no later rollback goes back to what this one undid."""
    if current is None:
        return
    for release in ledger.newest_first(below=current.seq + 1):
        if release.seq <= goal.seq:
            break
        if release.succeeded:
            set_status(ledger, release, "rolled_back", warn=warn)


def restored_entry(
    workspace: Workspace, entry: ComponentEntry, seq: int
) -> tuple[dict[str, Any], list[str]]:
    """What a component ran with in release ``seq`` (its entry), for the variables its stack
    still declares; never a sensitive value (not recorded) nor a wired one (read from its
    upstream's state each run). A record written before every value was recorded has only its
    pins: say so."""
    declared = workspace.stack.variables
    sensitive = workspace.stack.sensitive_variables()
    if entry.values is None:
        note = (
            f"note: release #{seq} was recorded before envman kept every value; only its "
            f"pinned inputs are restored, the rest comes from the current code"
        )
        pins = {k: v for k, v in entry.inputs.items() if k in declared and k not in sensitive}
        return pins, [note]
    restored: dict[str, Any] = {}
    for name, item in entry.values.items():
        wired = item.get("source") == "component"
        if name in declared and name not in sensitive and "value" in item and not wired:
            restored[name] = item["value"]
    notes: list[str] = []
    added = sorted(n for n in declared if n not in entry.values and n not in sensitive)
    if added:
        notes.append(
            f"note: {', '.join(added)} did not exist in release #{seq}: from its current source"
        )
    gone = sorted(n for n in entry.values if n not in declared)
    if gone:
        notes.append(f"note: the stack no longer declares {', '.join(gone)} (recorded in #{seq})")
    return restored, notes
