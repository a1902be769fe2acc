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
from envman.releases.models import Release
from envman.releases.oplock import OperationLock
from envman.releases.store import LedgerStore
from envman.runs.events import APPLIED, FAILED, read_outcome
from envman.runs.folder import find_run
from envman.runs.session import locked_operation
from envman.timeutil import iso, now
from envman.workspace import Workspace

Say = Callable[[str], None]
NEWEST = 20


@contextlib.contextmanager
def locked_graph(
    project: Project, env: Environment, store: LedgerStore, operation: str, say: Say
) -> Iterator[OperationLock]:
    """The operation lock, releases reconciled, then component entries settled."""
    with locked_operation(Workspace(project, env), store, operation, say) as lease:
        settle_components(Ledger(store, env.name), env, say)
        yield lease


def settle_components(ledger: Ledger, env: Environment, say: Say) -> int:
    settled = 0
    for count, release in enumerate(ledger.newest_first()):
        if count >= NEWEST:
            break
        entries = release.components or {}
        done = [n for n, e in entries.items() if isinstance(e, dict) and _settle(env, n, e)]
        if not done:
            continue
        try:
            ledger.update(release.seq, _changes(release, entries))
        except EnvmanError as exc:
            say(f"warning: could not reconcile release #{release.seq}: {exc}")
            continue
        for name in done:
            say(
                f"reconciled component '{name}' of release #{release.seq} of '{env.name}': "
                f"{entries[name]['status']} (its run ended while envman was gone)"
            )
        settled += len(done)
    return settled


def _settle(env: Environment, name: str, entry: dict[str, Any]) -> bool:
    if entry.get("status") != "applying" or not entry.get("run_id"):
        return False
    root = env.project_root / STATE_DIR / ENVS_DIR / env.name / COMPONENTS_DIR / name
    run = find_run(root, str(entry["run_id"]))
    if run is not None and run.terraform_running():
        return False  # terraform is still at it: the next run settles it
    outcome = read_outcome(run.events("apply")) if run is not None else None
    if outcome is not None and outcome.status == APPLIED:
        entry["status"] = "applied"
    else:
        entry["status"] = (
            "failed" if outcome is not None and outcome.status == FAILED else "interrupted"
        )
    entry["reconciled_at"] = iso(now())
    return True


def _changes(release: Release, entries: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {"components": entries}
    statuses = [e.get("status") for e in entries.values() if isinstance(e, dict)]
    if release.status in ("interrupted", "applying", "partial", "failed"):
        if statuses and all(s in ("applied", "unchanged") for s in statuses):
            changes["status"] = "applied"
        elif "applied" in statuses:
            changes["status"] = "partial"
    return changes
