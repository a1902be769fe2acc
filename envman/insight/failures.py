"""Which deployments failed, and what restored them (docs/metrics.md, "Change failure rate",
"Time to restore").

A deployment is a release of kind apply or promote whose outcome is known. It failed when its
verification failed (whether or not it was rolled back automatically), when its apply failed,
when a rollback by hand undid it within ``ROLLBACK_WINDOW``, or when the next deployment, within
``FIX_WINDOW``, was a hotfix: an apply that changed promoted values outside promotion. It was
restored by the next successful release (applied or verified, not a destroy) that is not
itself a failed deployment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from envman.insight.model import Failure, FailureReason
from envman.insight.timing import finished
from envman.releases.models import SUCCESS_STATUSES, Kind, Release, Status

ROLLBACK_WINDOW = timedelta(days=7)
FIX_WINDOW = timedelta(days=1)
# went live: a release later undone by hand (rolled_back) went live too
RESTORING = SUCCESS_STATUSES | {Status.ROLLED_BACK}
DEPLOY_KINDS = frozenset({Kind.APPLY, Kind.PROMOTE})
# outcome known: it reached the environment (or failed doing so)
COUNTED = frozenset(
    {
        Status.APPLIED,
        Status.VERIFIED,
        Status.VERIFY_FAILED,
        Status.ROLLED_BACK,
        Status.FAILED,
        Status.PARTIAL,
    }
)


def is_deployment(release: Release) -> bool:
    return release.kind in DEPLOY_KINDS and release.status in COUNTED


def is_hotfix(release: Release) -> bool:
    """An apply that changed promoted values outside promotion (warned or break-glass)."""
    if release.kind != Kind.APPLY:
        return False
    glass = release.break_glass
    broke_gate = glass is not None and any(r.startswith("promotion_only") for r in glass.rules)
    return bool(release.promotion_bypass) or broke_gate


def failures(releases: Sequence[Release]) -> list[Failure]:
    """Every failed deployment of one environment's records (by seq), with its restore."""
    deployments = [r for r in releases if is_deployment(r)]
    rollbacks = [r for r in releases if r.kind == Kind.ROLLBACK]
    found: list[Failure] = []
    for index, release in enumerate(deployments):
        following = deployments[index + 1] if index + 1 < len(deployments) else None
        reason = _reason(release, rollbacks, following)
        if reason is not None:
            found.append(Failure(release.seq, reason, finished(release)))
    failed = {f.seq for f in found}
    return [_restored(f, releases, failed) for f in found]


def _reason(
    release: Release, rollbacks: Sequence[Release], following: Release | None
) -> FailureReason | None:
    if release.status == Status.VERIFY_FAILED:
        automatic = any(r.rollback_of == release.seq for r in rollbacks)
        return FailureReason.AUTO_ROLLBACK if automatic else FailureReason.VERIFY_FAILED
    if release.status in (Status.FAILED, Status.PARTIAL):
        return FailureReason.APPLY_FAILED
    if _undone_soon(release, rollbacks):
        return FailureReason.ROLLED_BACK
    if following is not None and is_hotfix(following) and _soon(release, following):
        return FailureReason.HOTFIX
    return None


def _undone_soon(release: Release, rollbacks: Sequence[Release]) -> bool:
    """A rollback after it went back to before it, within the window."""
    for rollback in rollbacks:
        target = rollback.target_seq
        if rollback.seq > release.seq and target is not None and target < release.seq:
            return _within(finished(release), finished(rollback), ROLLBACK_WINDOW)
    return False


def _soon(release: Release, following: Release) -> bool:
    return _within(finished(release), finished(following), FIX_WINDOW)


def _within(start: datetime | None, end: datetime | None, limit: timedelta) -> bool:
    return start is not None and end is not None and end - start <= limit


def _restored(failure: Failure, releases: Sequence[Release], failed: set[int]) -> Failure:
    for release in releases:
        if release.seq <= failure.seq or release.seq in failed:
            continue
        if release.kind == Kind.DESTROY or release.status not in RESTORING:
            continue
        end = finished(release)
        seconds = None
        if end is not None and failure.at is not None:
            seconds = max((end - failure.at).total_seconds(), 0.0)
        return Failure(failure.seq, failure.reason, failure.at, release.seq, seconds)
    return failure
