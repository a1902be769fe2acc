"""An environment run under its operation lock: take the lease, then settle orphaned releases."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.console import Console

from envman.releases.ledger import Ledger
from envman.releases.oplock import OperationLock, acquire
from envman.releases.provenance import actor
from envman.releases.store import LedgerStore
from envman.runs.reconcile import reconcile
from envman.say import Say
from envman.workspace import Workspace


def console_say(console: Console) -> Say:
    """One plain line on the command's console (no markup: lines may hold brackets)."""
    return lambda line: console.print(line, markup=False, highlight=False)


@contextlib.contextmanager
def locked_operation(
    workspace: Workspace, store: LedgerStore, operation: str, say: Say
) -> Iterator[OperationLock]:
    """Hold the environment's operation lock; releases left ``applying`` by runs that died are
    reconciled first (each said in one line through ``say``)."""
    env = workspace.env
    with acquire(store, operation, actor(), environment=env.name, on_note=say) as lease:
        reconcile(Ledger(store, env.name), workspace.prepare_folder(), say, locked=True)
        yield lease
