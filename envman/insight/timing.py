"""When a release happened, on the real clock (docs/metrics.md, "Clock overrides").

A run under ``ENVMAN_NOW`` records the replaced clock in ``started_at``/``finished_at`` and the
pair (the time it said, the real time) in ``clock_override``: its moments are shifted by that
difference, so a release made under a replaced clock is placed where it really happened.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from envman.releases.models import Release


def moment(value: object) -> datetime | None:
    """A recorded RFC 3339 time (None when absent or unreadable); naive ones are UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def clock_shift(release: Release) -> timedelta:
    """How far the run's clock was from the real one (zero without an override)."""
    override = release.clock_override
    if override is None:
        return timedelta(0)
    said, real = moment(override.now), moment(override.real)
    if said is None or real is None:
        return timedelta(0)
    return real - said


def finished(release: Release) -> datetime | None:
    """When the release went live (its finish; its start when it has none), real clock."""
    found = moment(release.finished_at) or moment(release.started_at)
    return None if found is None else found + clock_shift(release)


def started(release: Release) -> datetime | None:
    found = moment(release.started_at) or moment(release.finished_at)
    return None if found is None else found + clock_shift(release)
