"""Audit entries: state-changing `envman tf` commands, recorded beside the releases.

An entry is ``audit/<UTC time>-<id>.json`` in the environment's ledger store
(``<state>.releases/audit/`` locally, ``s3://<bucket>/<key>.releases/audit/`` on S3;
docs/releases.md). It is created with the store's exclusive create before terraform starts (status
``running``; a create that finds the name taken never overwrites it) and replaced by its own
writer, under the operation lock, when terraform ends. Entries are not releases: they have no
seq, so they are never the current release and ``rollback --to`` cannot name one. Names sort by
time, so the newest entries are read without reading the others.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from envman.errors import EnvmanError
from envman.operate import Redact, no_redaction
from envman.releases.models import Release, StateRef
from envman.releases.provenance import actor, envman_version
from envman.releases.store import LedgerStore
from envman.terraform.state import StateInfo
from envman.timeutil import iso, now

PREFIX = "audit/"
AuditStatus = Literal["running", "succeeded", "failed", "interrupted"]
AuditKind = Literal["tf", "forget"]  # forget: an orphaned component let go (docs/operations.md)


class AuditEntry(BaseModel):
    model_config = ConfigDict(extra="allow", validate_assignment=True)

    schema_: int = Field(default=1, alias="schema")
    type: Literal["audit"] = "audit"
    kind: AuditKind = "tf"
    seq: None = None  # never a release number: history readers can tell entries apart
    id: str
    environment: str
    command: list[str]  # terraform's arguments, every value masked
    status: AuditStatus = "running"
    exit_code: int | None = None
    actor: str | None = None
    host: str | None = None
    pid: int | None = None
    envman_version: str | None = None
    started_at: str
    finished_at: str | None = None
    state: StateRef = Field(default_factory=StateRef)
    error: str | None = None
    component: str | None = None  # forget: the orphaned component ("": a single stack)
    reason: str | None = None  # forget: why its state is left alone

    def name(self) -> str:
        return f"{PREFIX}{self.id}.json"

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def command_text(self) -> str:
        if self.kind == "forget":
            return f"forget {self.component or self.environment}: {self.reason or ''}"
        return "terraform " + " ".join(self.command)


def new_entry_id() -> str:
    """The wall-clock time (never ENVMAN_NOW: names must sort as written) and a random part."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}-{uuid.uuid4().hex[:8]}"


def begin_audit(
    store: LedgerStore,
    environment: str,
    command: Sequence[str],
    before: StateInfo,
    redact: Redact = no_redaction,
) -> AuditEntry:
    """Write the entry (status running) before terraform starts; raise when it cannot be."""
    entry = AuditEntry(
        id=new_entry_id(),
        environment=environment,
        command=[redact(arg) for arg in command],
        actor=redact(actor()),
        host=socket.gethostname(),
        pid=os.getpid(),
        envman_version=envman_version(),
        started_at=iso(now()),
        state=StateRef(serial_before=before.serial, lineage_before=before.lineage),
    )
    if not store.create(entry.name(), _encode(entry)):
        raise EnvmanError(
            f"audit entry {store.describe()}{entry.name()} already exists; nothing was run",
            hint="run the command again",
        )
    return entry


def finish_audit(
    store: LedgerStore,
    entry: AuditEntry,
    status: AuditStatus,
    exit_code: int | None,
    after: StateInfo,
    error: str | None = None,
) -> None:
    entry.status = status
    entry.exit_code = exit_code
    entry.error = error
    entry.finished_at = iso(now())
    entry.state.serial_after = after.serial
    entry.state.lineage_after = after.lineage
    store.replace(entry.name(), _encode(entry))


def reconcile_orphans(store: LedgerStore, state_now: StateInfo, newest: int = 5) -> list[str]:
    """Mark entries left ``running`` by an envman that died as interrupted (call under the
    operation lock: no audited command of this environment runs then). Returns their ids."""
    entries, _ = read_audit(store, newest)
    fixed: list[str] = []
    for entry in entries:
        if entry.status != "running":
            continue
        why = "envman stopped before terraform ended; outcome unknown (reconciled by a later run)"
        finish_audit(store, entry, "interrupted", None, state_now, why)
        fixed.append(entry.id)
    return fixed


def read_audit(store: LedgerStore, limit: int | None = None) -> tuple[list[AuditEntry], list[str]]:
    """The newest entries first (at most ``limit``), and problems with unreadable ones."""
    names = [n for n in store.list_names(PREFIX) if n.endswith(".json")]
    names.reverse()
    entries: list[AuditEntry] = []
    problems: list[str] = []
    for name in names:
        if limit is not None and len(entries) >= limit:
            break
        data = store.read(name)
        if data is None:
            continue
        try:
            entries.append(AuditEntry.model_validate(json.loads(data)))
        except (ValueError, ValidationError):
            problems.append(f"{store.describe()}{name}: invalid audit entry, skipped")
    return entries, problems


def _encode(entry: AuditEntry) -> bytes:
    return (json.dumps(entry.to_json(), indent=2) + "\n").encode("utf-8")


def audit_row(entry: AuditEntry) -> tuple[str, str, str, str, str, str, str]:
    """A row of `envman history`: seq, kind, status, inputs (the command), origin, when, actor."""
    status = (
        entry.status if entry.exit_code in (0, None) else f"{entry.status} (exit {entry.exit_code})"
    )
    state = entry.state
    serials = f"state serial {state.serial_before} → {state.serial_after}"
    return (
        "audit",
        entry.kind,
        status,
        entry.command_text(),
        serials,
        entry.finished_at or entry.started_at,
        entry.actor or "",
    )


def merge_newest_first(
    releases: Sequence[Release], entries: Sequence[AuditEntry]
) -> list[Release | AuditEntry]:
    """Releases (newest seq first) and audit entries (newest first) in one list by time, each
    keeping its own order (a clock override never reorders releases)."""
    merged: list[Release | AuditEntry] = []
    i = j = 0
    while i < len(releases) and j < len(entries):
        if (releases[i].started_at or "") >= entries[j].started_at:
            merged.append(releases[i])
            i += 1
        else:
            merged.append(entries[j])
            j += 1
    return [*merged, *releases[i:], *entries[j:]]
