"""The release record (docs/architecture.md, "The ledger"): schema 1 for an environment of
one implicit component, schema 2 with a ``components`` entry per component.

Unknown fields: a record built in code refuses them (a misspelt ``rollbak_of=3`` raises, and so
does an assignment to a field that does not exist or of a value of the wrong type: models
validate assignments). A record read from the ledger (``Release.from_json``) keeps the fields a
newer envman wrote, and writes them back unchanged.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    model_serializer,
    model_validator,
)

SCHEMA = 1
# Validation context that keeps unknown fields (reading what a newer envman wrote).
KEEP_UNKNOWN = "keep_unknown"


class Kind(StrEnum):
    APPLY = "apply"
    PROMOTE = "promote"
    ROLLBACK = "rollback"
    DESTROY = "destroy"


class Status(StrEnum):
    APPLYING = "applying"
    APPLIED = "applied"
    VERIFIED = "verified"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    VERIFY_FAILED = "verify_failed"
    ROLLED_BACK = "rolled_back"
    PARTIAL = "partial"


SUCCESS_STATUSES: frozenset[Status] = frozenset({Status.APPLIED, Status.VERIFIED})

# The name of the one component of a single-stack environment: never a valid component name,
# so it cannot collide with a declared one; it never reaches a path, a state key or output.
IMPLICIT = ""


class ComponentStatus(StrEnum):
    """What one run did to one component."""

    PENDING = "pending"
    APPLYING = "applying"
    APPLIED = "applied"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    REFUSED = "refused"
    INTERRUPTED = "interrupted"
    DESTROYED = "destroyed"


# an entry whose component's state now holds what the entry records
IN_PLACE: frozenset[ComponentStatus] = frozenset(
    {ComponentStatus.APPLIED, ComponentStatus.UNCHANGED}
)


class LedgerModel(BaseModel):
    """A part of a release record: strict in code, lenient (and lossless) on read."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)
    _unknown: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_unknown(
        cls, data: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        if not (isinstance(data, dict) and (info.context or {}).get(KEEP_UNKNOWN)):
            return handler(data)
        known = {name for name in cls.model_fields} | {
            f.alias for f in cls.model_fields.values() if f.alias
        }
        unknown = {k: v for k, v in data.items() if k not in known}
        model = handler({k: v for k, v in data.items() if k in known})
        if isinstance(model, LedgerModel):
            model._unknown = unknown
        return model

    @model_serializer(mode="wrap")
    def _write_unknown(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key, value in self._unknown.items():
            data.setdefault(key, value)
        return data

    @property
    def unknown_fields(self) -> dict[str, Any]:
        """Fields a newer envman wrote that this one does not know (kept as read)."""
        return dict(self._unknown)


class SourceRef(LedgerModel):
    environment: str
    seq: int | None = None
    serial: int | None = None
    lineage: str | None = None


class StateRef(LedgerModel):
    serial_before: int | None = None
    lineage_before: str | None = None
    serial_after: int | None = None
    lineage_after: str | None = None


class PlanCounts(LedgerModel):
    add: int = 0
    change: int = 0
    destroy: int = 0
    replace: int = 0


class CiRun(LedgerModel):
    """The CI run that made a release (GitHub Actions): where to find its log."""

    provider: str = "github"
    server: str | None = None
    repository: str | None = None
    run_id: str | None = None
    attempt: str | None = None

    @property
    def url(self) -> str | None:
        if not (self.server and self.repository and self.run_id):
            return None
        link = f"{self.server.rstrip('/')}/{self.repository}/actions/runs/{self.run_id}"
        return f"{link}/attempts/{self.attempt}" if self.attempt else link


class GitInfo(LedgerModel):
    """The checkout a release was made from (docs/insight.md, "Provenance"). Fields added
    after `commit` and `dirty` are written only when known: older records stay as they were."""

    commit: str | None = None
    dirty: bool | None = None
    commit_time: str | None = None  # committer date, ISO 8601
    branch: str | None = None
    tag: str | None = None  # the exact tag at HEAD, if any
    ci: CiRun | None = None

    @model_serializer(mode="wrap")
    def _write_unknown(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            k: v for k, v in handler(self).items() if v is not None or k in ("commit", "dirty")
        }
        for key, value in self._unknown.items():
            data.setdefault(key, value)
        return data


class BreakGlass(LedgerModel):
    reason: str
    rules: list[str] = Field(default_factory=list)


class ClockOverride(LedgerModel):
    """The run's clock was replaced by ENVMAN_NOW: the time it said, and the real time."""

    now: str
    real: str


class ComponentEntry(LedgerModel):
    """What one release did to one component: its pins, values, plan counts, state, outputs."""

    status: ComponentStatus = ComponentStatus.PENDING
    waits_for: list[str] | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    values: dict[str, dict[str, Any]] | None = None
    plan: PlanCounts | None = None
    state: StateRef | None = None
    outputs: dict[str, Any] | None = None
    run_id: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    error: str | None = None
    reconciled_at: str | None = None
    absorbed_drift: list[dict[str, Any]] | None = None  # drift its apply kept (docs/drift.md)

    @model_serializer(mode="wrap")
    def _write_unknown(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        kept = self.model_fields_set  # what was read or set: written back as it was
        data: dict[str, Any] = {
            k: v for k, v in handler(self).items() if v is not None and k in kept
        }
        for key, value in self._unknown.items():
            data.setdefault(key, value)
        return data

    @property
    def in_place(self) -> bool:
        return self.status in IN_PLACE


class Release(LedgerModel):
    """One release of one environment."""

    schema_: int = Field(default=SCHEMA, alias="schema")
    environment: str
    seq: int
    kind: Kind
    status: Status
    label: str | None = None  # a release name (v1.2.3): --label, a semver git tag, carried
    inputs: dict[str, Any] = Field(default_factory=dict)  # the pins carried into later runs
    # every variable of the run: {"value": ..., "source": "tfvars", "file": ...}, sensitive
    # ones as {"sensitive": true, "source": ...}; None in records written before it existed
    values: dict[str, dict[str, Any]] | None = None
    unpinned: list[str] | None = None  # --unpin NAME: pins dropped for the code's value
    promotion_bypass: list[str] | None = None  # changes made outside promotion (warned)
    source: SourceRef | None = None
    rollback_of: int | None = None
    target_seq: int | None = None
    outputs: dict[str, Any] = Field(default_factory=dict)
    state: StateRef = Field(default_factory=StateRef)
    plan: PlanCounts = Field(default_factory=PlanCounts)
    actor: str | None = None
    git: GitInfo = Field(default_factory=GitInfo)
    envman_version: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    break_glass: BreakGlass | None = None
    clock_override: ClockOverride | None = None
    allow_destroy: list[str] | None = None  # deleted/replaced addresses let through the guard
    # drift the apply did not revert and wrote into state: address, attribute, change,
    # fingerprint (never a value); docs/drift.md "What apply keeps"
    absorbed_drift: list[dict[str, Any]] | None = None
    verification: dict[str, Any] | None = None
    error: str | None = None
    run_id: str | None = None  # the run folder (.envman/envs/<env>/runs/<id>/) that applied it
    reconciled_at: str | None = None
    note: str | None = None
    # schema 2: component -> what this release did to it (docs/components.md)
    components: dict[str, ComponentEntry] | None = None

    @property
    def succeeded(self) -> bool:
        return self.status in SUCCESS_STATUSES

    def entries(self) -> dict[str, ComponentEntry]:
        """What this release did to each component; a schema-1 record is read as the one
        implicit component (``IMPLICIT``) — converted on read, never rewritten."""
        if self.components is not None:
            return dict(self.components)
        if self.kind == Kind.DESTROY:
            status = ComponentStatus.DESTROYED
        else:
            status = _ENTRY_STATUS.get(self.status, ComponentStatus.FAILED)
        entry = ComponentEntry(
            status=status,
            inputs=dict(self.inputs),
            values=self.values,
            plan=self.plan,
            state=self.state,
            outputs=dict(self.outputs),
            run_id=self.run_id,
            started_at=self.started_at,
            finished_at=self.finished_at,
            error=self.error,
            absorbed_drift=self.absorbed_drift,
        )
        return {IMPLICIT: entry}

    @classmethod
    def from_json(cls, data: Any) -> Release:
        """A record as stored: fields a newer envman wrote are kept and written back."""
        return cls.model_validate(data, context={KEEP_UNKNOWN: True})

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", by_alias=True, exclude_none=False)
        for key in ("components", "absorbed_drift", "label"):  # newer fields: only when set
            if data.get(key) is None and key not in self._unknown:
                data.pop(key, None)  # schema 1 records stay as they were
        return data


def entries_json(entries: dict[str, ComponentEntry]) -> dict[str, Any]:
    """Component entries as stored (for a conditional update of the record)."""
    return {name: entry.model_dump(mode="json") for name, entry in entries.items()}


_ENTRY_STATUS: dict[Status, ComponentStatus] = {
    Status.APPLYING: ComponentStatus.APPLYING,
    Status.APPLIED: ComponentStatus.APPLIED,
    Status.VERIFIED: ComponentStatus.APPLIED,
    Status.VERIFY_FAILED: ComponentStatus.APPLIED,
    Status.ROLLED_BACK: ComponentStatus.APPLIED,
    Status.INTERRUPTED: ComponentStatus.INTERRUPTED,
}
