"""The release record of one graph run, in the shape its environment reads.

An environment of components writes schema 2: one ``components`` entry per component. A
single-stack environment is the graph of one implicit component and writes schema 1: that
entry's fields at the top level of the record (`inputs`, `values`, `outputs`, `state`,
`run_id`), so every envman version reads it (docs/architecture.md, "The ledger").
"""

from __future__ import annotations

from typing import Any

from envman.planning import PlannedRun
from envman.releases.labels import label_for
from envman.releases.ledger import Ledger
from envman.releases.models import (
    IMPLICIT,
    ComponentEntry,
    Kind,
    PlanCounts,
    Release,
    StateRef,
    entries_json,
)
from envman.releases.provenance import actor, envman_version, git_info
from envman.say import Say
from envman.terraform.state_direct import current_state_info
from envman.timeutil import clock_override, iso, now
from envman.workspace import Workspace

SCHEMA_COMPONENTS = 2


def begin_record(
    ledger: Ledger,
    kind: Kind,
    entries: dict[str, ComponentEntry],
    planned: dict[str, PlannedRun],
    extra: dict[str, Any],
) -> Release:
    """Record the run as `applying` before anything applies: the entries of the components it
    touches (``planned``: the plans made so far), and ``extra`` (break-glass, source...;
    ``project``: whose git commit is recorded; the label follows docs/insight.md)."""
    totals = PlanCounts()
    for plan in planned.values():
        counts = plan.streamed.summary.as_dict()
        totals = PlanCounts(**{k: getattr(totals, k) + counts.get(k, 0) for k in counts})
    fields: dict[str, Any] = {
        "kind": kind,
        "status": "applying",
        "plan": totals.model_dump(),
        "actor": actor(),
        "envman_version": envman_version(),
        "started_at": iso(now()),
        "clock_override": clock_override(),
    }
    if list(entries) == [IMPLICIT]:
        fields.update(_single_stack_fields(planned[IMPLICIT], entries[IMPLICIT]))
    else:
        fields.update(schema=SCHEMA_COMPONENTS, inputs={}, components=entries_json(entries))
    project = extra.pop("project")
    fields["git"] = git_info(project.root)
    fields.update({k: v for k, v in extra.items() if v is not None})
    fields["label"] = label_for(project, ledger, fields)
    return ledger.begin(**fields)


def _single_stack_fields(planned: PlannedRun, entry: ComponentEntry) -> dict[str, Any]:
    before = current_state_info(planned.workspace)
    entry.state = StateRef(serial_before=before.serial, lineage_before=before.lineage)
    fields: dict[str, Any] = {
        "inputs": planned.recorded_inputs,
        "run_id": planned.run.id if planned.run is not None else None,
        "state": entry.state.model_dump(),
        **planned.inputs.record_fields(),
    }
    if entry.absorbed_drift:
        fields["absorbed_drift"] = list(entry.absorbed_drift)
    return fields


def entry_changes(entries: dict[str, ComponentEntry]) -> dict[str, Any] | None:
    """What an entry's change writes: the entries (schema 2); nothing for a single stack,
    whose record says where its run is from the start."""
    if list(entries) == [IMPLICIT]:
        return None
    return {"components": entries_json(entries)}


def final_changes(
    release: Release, entries: dict[str, ComponentEntry], status: str, error: str | None
) -> dict[str, Any]:
    """How the run ended, and what each component now holds; set on ``release`` too."""
    totals = {"add": 0, "change": 0, "destroy": 0, "replace": 0}
    for entry in entries.values():
        counts = entry.plan.model_dump() if entry.plan is not None else {}
        for key in totals:
            totals[key] += int(counts.get(key, 0))
    changes: dict[str, Any] = {
        "plan": totals,
        "status": status,
        "finished_at": iso(now()),
        "error": error,
    }
    if list(entries) == [IMPLICIT]:
        entry = entries[IMPLICIT]
        state = (entry.state or StateRef()).model_dump()
        changes.update(outputs=dict(entry.outputs or {}), state=state)
    else:
        changes["components"] = entries_json(entries)
    for key, value in changes.items():
        setattr(release, key, value)
    return changes


def say_clock(release: Release, warn: Say) -> None:
    """A replaced clock is said once the release exists (it is recorded and announced)."""
    if release.clock_override is not None:
        warn(
            f"envman: warning: the clock is replaced by ENVMAN_NOW "
            f"({release.clock_override.now}; really {release.clock_override.real}): deploy "
            f"windows and soak times were judged at that time; recorded in release "
            f"#{release.seq} and announced"
        )


def state_now(workspace: Workspace, entry: ComponentEntry) -> None:
    """The state serials of a component the run left unchanged, as it is now."""
    info = current_state_info(workspace)
    entry.state = StateRef(
        serial_before=info.serial,
        lineage_before=info.lineage,
        serial_after=info.serial,
        lineage_after=info.lineage,
    )
