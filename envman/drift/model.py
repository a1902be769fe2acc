"""The results of a drift check: findings, counts, one result per environment, the report."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA = 1
REDACTED = "<sensitive>"


class DriftStatus(StrEnum):
    """The result of one environment's drift check (docs/drift.md)."""

    IN_SYNC = "in_sync"
    PENDING = "pending"
    DRIFTED = "drifted"
    ERROR = "error"


class ReportFormat(StrEnum):
    """The formats of a drift report (``--format``)."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    JUNIT = "junit"


IN_SYNC, PENDING, DRIFTED, ERROR = (
    DriftStatus.IN_SYNC,
    DriftStatus.PENDING,
    DriftStatus.DRIFTED,
    DriftStatus.ERROR,
)
STATUSES = tuple(DriftStatus)


def fingerprint(environment: str, address: str, attribute: str, actual: Any) -> str:
    """Stable id of a finding: the same drift (same actual value) gets the same fingerprint.

    ``actual`` must already be redacted: a sensitive value is never hashed into a report.
    """
    text = json.dumps([environment, address, attribute, actual], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Finding:
    address: str
    attribute: str  # dotted path, [0] / [id="x"] in lists; "*" for a deleted resource
    expected: Any  # the state's value ("exists": deleted resource; the element: removed)
    actual: Any  # reality's value (None: deleted resource or removed element; the element: added)
    fingerprint: str
    actionable: bool  # applying the stack would restore the expected value
    sensitive: bool = False
    change: str = "update"  # "added"/"removed" (an element of a collection), "deleted"
    new: bool = True
    component: str | None = None  # docs/components.md: the component whose state it is

    def to_json(self) -> dict[str, Any]:
        extra = {"component": self.component} if self.component is not None else {}
        return {
            **extra,
            "address": self.address,
            "attribute": self.attribute,
            "expected": self.expected,
            "actual": self.actual,
            "fingerprint": self.fingerprint,
            "new": self.new,
            "actionable": self.actionable,
            "sensitive": self.sensitive,
            "change": self.change,
        }


@dataclass
class Counts:
    findings: int = 0
    new: int = 0
    actionable: int = 0
    acknowledged: int = 0
    ignored: int = 0
    normalised: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "findings": self.findings,
            "new": self.new,
            "actionable": self.actionable,
            "acknowledged": self.acknowledged,
            "ignored": self.ignored,
            "normalised": self.normalised,
        }


@dataclass
class EnvResult:
    environment: str
    status: DriftStatus
    error: str | None = None
    counts: Counts = field(default_factory=Counts)
    findings: list[Finding] = field(default_factory=list)
    acknowledged: list[dict[str, Any]] = field(default_factory=list)
    pending_changes: list[dict[str, str]] = field(default_factory=list)
    lock: dict[str, str] | None = None
    warnings: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    to_notify: list[Finding] = field(default_factory=list)  # not yet notified; not reported

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "status": self.status,
            "error": self.error,
            "counts": self.counts.to_json(),
            "findings": [f.to_json() for f in self.findings],
            "acknowledged": list(self.acknowledged),
            "pending_changes": list(self.pending_changes),
            "lock": self.lock,
            "warnings": list(self.warnings),
            "duration_s": round(self.duration_s, 1),
        }


def error_result(environment: str, message: str, lock: dict[str, str] | None = None) -> EnvResult:
    return EnvResult(environment=environment, status=ERROR, error=message, lock=lock)


def exit_code(results: list[EnvResult]) -> int:
    """2 when any environment drifted, else 1 when any errored, else 0 (docs/drift.md)."""
    if any(r.status == DRIFTED for r in results):
        return 2
    if any(r.status == ERROR for r in results):
        return 1
    return 0


def report_document(results: list[EnvResult], checked_at: str) -> dict[str, Any]:
    """The JSON report (schema 1); every other format is rendered from this document."""
    summary = {status: sum(1 for r in results if r.status == status) for status in STATUSES}
    return {
        "schema": SCHEMA,
        "checked_at": checked_at,
        "exit_code": exit_code(results),
        "summary": summary,
        "environments": [r.to_json() for r in results],
    }
