"""Reconciliation: releases left ``applying`` by a run that died (docs/releases.md).

terraform outlives envman, so when envman is killed the apply goes on (or stops) by itself.
The next run of the environment (holding its operation lock) and ``status`` find records
still ``applying`` whose run is over, read that run's event log, and settle them: ``applied``
(with the outputs terraform reported), ``failed`` or ``interrupted``, with ``reconciled_at``
and a note. Each settled record is reported in one line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

from envman.errors import EnvmanError
from envman.lease import process_alive, wall_clock
from envman.releases.ledger import Ledger
from envman.releases.models import Release
from envman.runs.events import APPLIED, INTERRUPTED, ROLLED_BACK, ApplyOutcome, read_outcome
from envman.runs.folder import find_run
from envman.timeutil import iso

Say = Callable[[str], None]
NEWEST = 20  # only the newest records can still be applying


def reconcile(ledger: Ledger, env_root: Path, say: Say, *, locked: bool) -> int:
    """Settle orphaned ``applying`` releases; returns how many were settled.

    ``locked``: the caller holds the operation lock, so a record without a readable run on this
    host belongs to a run that is over (its lease was released or taken over)."""
    settled = 0
    records = list(islice(ledger.newest_first(), NEWEST))  # O(1) in the length of history
    undone = {r.rollback_of for r in records if r.kind == "rollback" and r.rollback_of}
    for release in [r for r in records if r.status == "applying"]:
        outcome = _outcome(release, env_root, locked)
        if outcome is None:
            continue
        if outcome.status == APPLIED and release.seq in undone:
            outcome.status = ROLLED_BACK  # applied, then rolled back by a later release
        try:
            if not _settle(ledger, release, outcome):
                continue  # its run recorded it meanwhile
        except EnvmanError as exc:
            say(f"warning: could not reconcile release #{release.seq}: {exc}")
            continue
        say(
            f"reconciled release #{release.seq} of '{ledger.environment}' (left applying by "
            f"run {release.run_id or '?'}): {outcome.status} — {outcome.describe()}"
        )
        settled += 1
    return settled


def _outcome(release: Release, env_root: Path, locked: bool) -> ApplyOutcome | None:
    run = find_run(env_root, release.run_id or "")
    if run is None:
        if not locked:
            return None
        return ApplyOutcome(INTERRUPTED, error="its run's event log is not on this host")
    if run.terraform_running() or _envman_running(run.info()):
        return None
    return read_outcome(run.events("apply")) or ApplyOutcome(
        INTERRUPTED, error="terraform apply never started"
    )


def _envman_running(info: dict[str, Any]) -> bool:
    pid = info.get("pid")
    if pid == os.getpid():
        return False  # a run of this process that is over (this process is not in it now)
    return isinstance(pid, int) and process_alive(pid, str(info.get("process_start", "")))


def _settle(ledger: Ledger, release: Release, outcome: ApplyOutcome) -> bool:
    moment = iso(wall_clock())
    changes: dict[str, Any] = {
        "status": outcome.status,
        "reconciled_at": moment,
        "finished_at": release.finished_at or moment,
        "note": f"reconciled from the run's event log: {outcome.describe()}",
    }
    if outcome.status in (APPLIED, ROLLED_BACK):
        changes["outputs"] = outcome.outputs
    elif outcome.error:
        changes["error"] = outcome.error
    return ledger.update(release.seq, changes, expect_status="applying") is not None
