"""Components left `applying` by a run that died (docs/releases.md; per component).

The generic reconciliation settles the release itself (`interrupted`: a component release has
no single run). Each component entry still `applying` names its run: once terraform is over,
its event log says whether the apply finished, and the entry and the release are settled
(`applied` when every touched component applied, `partial` when some did).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from envman.config.paths import ENVS_DIR, STATE_DIR
from envman.config.project import Environment, Project
from envman.errors import EnvmanError
from envman.graph.environment import COMPONENTS_DIR
from envman.releases.ledger import Ledger
from envman.releases.models import (
    IN_PLACE,
    ComponentEntry,
    ComponentStatus,
    Release,
    entries_json,
)
from envman.releases.oplock import OperationLock, acquire, gone_reason, holder
from envman.releases.provenance import actor
from envman.releases.store import LedgerStore
from envman.runs.events import APPLIED, FAILED, read_outcome
from envman.runs.folder import find_run
from envman.runs.reconcile import reconcile
from envman.timeutil import iso, now
from envman.workspace import Workspace

Say = Callable[[str], None]
NEWEST = 20


@contextlib.contextmanager
def locked_graph(
    project: Project, env: Environment, store: LedgerStore, operation: str, say: Say
) -> Iterator[OperationLock]:
    """The operation lock; component entries of runs that died settled first, then what is
    left of their releases (so a run whose every component applied reads `applied`, never
    `interrupted`)."""
    workspace = Workspace(project, env)
    with acquire(store, operation, actor(), environment=env.name, on_note=say) as lease:
        ledger = Ledger(store, env.name)
        settle_components(ledger, env, say)
        reconcile(ledger, workspace.prepare_folder(), say, locked=True)
        yield lease


def settle_unlocked(project: Project, env: Environment, store: LedgerStore, say: Say) -> None:
    """For `status`: the same settling, only when no live run holds the lock."""
    current = holder(store)
    if current is not None and gone_reason(current) is None:
        return
    ledger = Ledger(store, env.name)
    settle_components(ledger, env, say)
    reconcile(ledger, Workspace(project, env).env.work_dir, say, locked=False)


def settle_components(ledger: Ledger, env: Environment, say: Say) -> int:
    """Settle the component entries of the newest releases left by runs that died (each said
    in one line); returns how many entries were settled."""
    settled = 0
    for count, release in enumerate(ledger.newest_first()):
        if count >= NEWEST:
            break
        entries = dict(release.components or {})
        done = [n for n, e in entries.items() if _settle(env, n, e)]
        changes = _changes(release, entries)
        if not done and "status" not in changes:
            continue
        try:
            ledger.update(release.seq, changes)
        except EnvmanError as exc:
            say(f"warning: could not reconcile release #{release.seq}: {exc}")
            continue
        for name in done:
            say(
                f"reconciled component '{name}' of release #{release.seq} of '{env.name}': "
                f"{entries[name].status} (its run ended while envman was gone)"
            )
        if "status" in changes:
            say(f"reconciled release #{release.seq} of '{env.name}': {changes['status']}")
        settled += len(done)
    return settled


def _settle(env: Environment, name: str, entry: ComponentEntry) -> bool:
    if entry.status != ComponentStatus.APPLYING or not entry.run_id:
        return False
    root = env.project_root / STATE_DIR / ENVS_DIR / env.name / COMPONENTS_DIR / name
    run = find_run(root, entry.run_id)
    if run is not None and run.terraform_running():
        return False  # terraform is still at it: the next run settles it
    outcome = read_outcome(run.events("apply")) if run is not None else None
    if outcome is not None and outcome.status == APPLIED:
        entry.status = ComponentStatus.APPLIED
    elif outcome is not None and outcome.status == FAILED:
        entry.status = ComponentStatus.FAILED
    else:
        entry.status = ComponentStatus.INTERRUPTED
    entry.reconciled_at = iso(now())
    return True


def _changes(release: Release, entries: dict[str, ComponentEntry]) -> dict[str, Any]:
    """The release's status from its entries, once none is still applying: every one in place
    → applied; some applied → partial; a release still `applying` with none → interrupted."""
    changes: dict[str, Any] = {"components": entries_json(entries)}
    statuses = [e.status for e in entries.values()]
    if not entries or ComponentStatus.APPLYING in statuses:
        return changes
    if release.status in ("interrupted", "applying", "partial", "failed"):
        if all(s in IN_PLACE for s in statuses):
            status = "applied"
        elif ComponentStatus.APPLIED in statuses:
            status = "partial"
        else:
            status = "interrupted" if release.status == "applying" else str(release.status)
        if status != release.status:
            changes["status"] = status
            changes["reconciled_at"] = iso(now())
            if release.finished_at is None:
                changes["finished_at"] = iso(now())
    return changes
