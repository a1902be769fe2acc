"""What the metrics are computed from and what they are (docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from envman.insight.bands import Band
from envman.releases.models import Release

# commit times of what a release carried: (previous commit, commit) -> times, or None when
# the checkout does not have them (lead time then falls back, docs/metrics.md)
CommitTimes = Callable[[str | None, str], list[datetime] | None]


def no_commits(previous: str | None, commit: str) -> list[datetime] | None:
    return None


@dataclass(frozen=True)
class EnvHistory:
    """One environment's records, by seq, and what surrounds them."""

    name: str
    releases: tuple[Release, ...]
    source: str | None = None  # the environment it is promoted from
    audit_entries: int = 0  # `envman tf` audit entries: never deployments


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime

    @property
    def days(self) -> float:
        return max((self.until - self.since).total_seconds() / 86400.0, 0.0)

    def holds(self, when: datetime | None) -> bool:
        return when is not None and self.since <= when < self.until


class FailureReason(StrEnum):
    VERIFY_FAILED = "verification failed"
    AUTO_ROLLBACK = "verification failed, rolled back automatically"
    APPLY_FAILED = "apply failed"
    ROLLED_BACK = "rolled back by hand"
    HOTFIX = "followed by a hotfix"


class LeadBasis(StrEnum):
    GIT = "git"
    FIRST_RELEASE = "first release"
    MIXED = "git and first release"
    NONE = "none"


@dataclass(frozen=True)
class Failure:
    seq: int
    reason: FailureReason
    at: datetime | None
    restored_by: int | None = None
    restore_seconds: float | None = None


@dataclass(frozen=True)
class Frequency:
    count: int
    per_day: float
    band: Band | None


@dataclass(frozen=True)
class LeadTime:
    median_seconds: float | None
    samples: int  # commits (git) plus deployments measured by the fallback
    from_commits: int
    from_first_release: int  # deployments measured from their first release (no commit times)
    without_new_commits: int  # deployments that carried no commit the previous one had not
    basis: LeadBasis
    band: Band | None


@dataclass(frozen=True)
class FailureRate:
    rate: float | None
    failed: int
    deployments: int
    band: Band | None


@dataclass(frozen=True)
class Restore:
    median_seconds: float | None
    restored: int
    open: int  # failures with no successful release after them yet
    band: Band | None


@dataclass(frozen=True)
class EnvMetrics:
    environment: str
    frequency: Frequency
    lead_time: LeadTime
    failure_rate: FailureRate
    restore: Restore
    failures: tuple[Failure, ...] = ()
    rollbacks: int = 0
    destroys: int = 0
    not_counted: int = 0  # applying/interrupted: outcome unknown
    audit_entries: int = 0
    clock_overrides: int = 0
    destroyed: bool = False
    weekly: tuple[tuple[str, int, int], ...] = ()  # (week start, deployments, failed)
    notes: tuple[str, ...] = field(default_factory=tuple)
