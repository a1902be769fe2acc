"""The release record (DESIGN section 5, schema 1)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA = 1
Kind = Literal["apply", "promote", "rollback"]
Status = Literal[
    "applying", "applied", "verified", "failed", "interrupted", "verify_failed", "rolled_back"
]
SUCCESS_STATUSES: frozenset[str] = frozenset({"applied", "verified"})


class SourceRef(BaseModel):
    model_config = ConfigDict(extra="allow")
    environment: str
    seq: int | None = None
    serial: int | None = None
    lineage: str | None = None


class StateRef(BaseModel):
    model_config = ConfigDict(extra="allow")
    serial_before: int | None = None
    lineage_before: str | None = None
    serial_after: int | None = None
    lineage_after: str | None = None


class PlanCounts(BaseModel):
    model_config = ConfigDict(extra="allow")
    add: int = 0
    change: int = 0
    destroy: int = 0
    replace: int = 0


class GitInfo(BaseModel):
    model_config = ConfigDict(extra="allow")
    commit: str | None = None
    dirty: bool | None = None


class BreakGlass(BaseModel):
    model_config = ConfigDict(extra="allow")
    reason: str
    rules: list[str] = Field(default_factory=list)


class Release(BaseModel):
    """One release of one environment. Unknown keys from newer writers are kept."""

    model_config = ConfigDict(extra="allow")

    schema_: int = Field(default=SCHEMA, alias="schema")
    environment: str
    seq: int
    kind: Kind
    status: Status
    inputs: dict[str, Any] = Field(default_factory=dict)
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
    verification: dict[str, Any] | None = None
    error: str | None = None
    run_id: str | None = None  # the run folder (.envman/envs/<env>/runs/<id>/) that applied it
    reconciled_at: str | None = None
    note: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status in SUCCESS_STATUSES

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=False)
