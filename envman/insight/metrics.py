"""The four DORA keys per environment over a window, from release records only
(docs/metrics.md). Pure: records in, figures out; nothing is read or printed here."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import timedelta

from envman.insight.bands import failure_band, frequency_band, restore_band
from envman.insight.failures import failures, is_deployment
from envman.insight.leadtime import Index, lead_time
from envman.insight.model import (
    CommitTimes,
    EnvHistory,
    EnvMetrics,
    Failure,
    FailureRate,
    Frequency,
    Restore,
    Window,
    no_commits,
)
from envman.insight.timing import finished
from envman.releases.models import SUCCESS_STATUSES, Kind, Release, Status

WEEK = timedelta(days=7)
UNKNOWN = frozenset({Status.APPLYING, Status.INTERRUPTED})


def compute(
    histories: Sequence[EnvHistory], window: Window, commits: CommitTimes = no_commits
) -> list[EnvMetrics]:
    """The metrics of each history, in order; promotion sources are followed through every
    history given (give the whole chain for lead times that start where values began)."""
    index: Index = {(h.name, r.seq): r for h in histories for r in h.releases}
    return [environment_metrics(h, window, index, commits) for h in histories]


def environment_metrics(
    history: EnvHistory, window: Window, index: Index, commits: CommitTimes
) -> EnvMetrics:
    releases = history.releases
    inside = [r for r in releases if window.holds(finished(r))]
    pairs = _deployments_in(releases, window)
    count = len(pairs)
    all_failures = failures(releases)
    failed = [f for f in all_failures if window.holds(f.at)]
    per_day = count / window.days if window.days else 0.0
    return EnvMetrics(
        environment=history.name,
        frequency=Frequency(count, per_day, frequency_band(per_day) if count else None),
        lead_time=lead_time(pairs, index, commits),
        failure_rate=_rate(len(failed), count),
        restore=_restore(failed),
        failures=tuple(failed),
        rollbacks=sum(1 for r in inside if r.kind == Kind.ROLLBACK and r.status in COUNTED_ANY),
        destroys=sum(1 for r in inside if r.kind == Kind.DESTROY and r.succeeded),
        not_counted=sum(1 for r in inside if r.status in UNKNOWN),
        audit_entries=history.audit_entries,
        clock_overrides=sum(1 for r in inside if r.clock_override is not None),
        destroyed=is_destroyed(releases),
        weekly=_weekly([r for _, r in pairs], failed, window),
    )


COUNTED_ANY = SUCCESS_STATUSES | {Status.ROLLED_BACK, Status.VERIFY_FAILED}


def _deployments_in(
    releases: Sequence[Release], window: Window
) -> list[tuple[Release | None, Release]]:
    """Deployments in the window, each with the deployment before it (in or out)."""
    pairs: list[tuple[Release | None, Release]] = []
    previous: Release | None = None
    for release in releases:
        if not is_deployment(release):
            continue
        if window.holds(finished(release)):
            pairs.append((previous, release))
        previous = release
    return pairs


def _rate(failed: int, count: int) -> FailureRate:
    if not count:
        return FailureRate(None, failed, count, None)
    rate = failed / count
    return FailureRate(rate, failed, count, failure_band(rate))


def _restore(failed: Sequence[Failure]) -> Restore:
    times = [f.restore_seconds for f in failed if f.restore_seconds is not None]
    still_open = sum(1 for f in failed if f.restored_by is None)
    median = statistics.median(times) if times else None
    band = restore_band(median) if median is not None else None
    return Restore(median, len(times), still_open, band)


def is_destroyed(releases: Sequence[Release]) -> bool:
    """Its newest successful release is a destroy: the environment does not exist now."""
    for release in reversed(releases):
        if release.succeeded:
            return release.kind == Kind.DESTROY
    return False


def _weekly(
    deployed: Sequence[Release], failed: Sequence[Failure], window: Window
) -> tuple[tuple[str, int, int], ...]:
    """Deployments and failed ones per week of the window, from its start."""
    weeks = max(int(-(-(window.until - window.since) // WEEK)), 1)
    counts = [[0, 0] for _ in range(weeks)]
    for release in deployed:
        at = finished(release)
        if at is not None:
            counts[min(int((at - window.since) // WEEK), weeks - 1)][0] += 1
    for failure in failed:
        if failure.at is not None:
            counts[min(int((failure.at - window.since) // WEEK), weeks - 1)][1] += 1
    starts = [(window.since + i * WEEK).date().isoformat() for i in range(weeks)]
    return tuple((s, c[0], c[1]) for s, c in zip(starts, counts, strict=True))
