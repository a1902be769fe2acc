"""The window of `envman metrics` and `envman report`: --since, --until, --days
(docs/metrics.md, "Window")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from envman.errors import UsageError
from envman.insight.model import Window
from envman.timeutil import now, parse_duration, parse_time_point

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class WindowOptions:
    since: str | None = None  # a duration back from --until ("90d") or a date / RFC 3339 time
    until: str | None = None  # a date / RFC 3339 time; default now (ENVMAN_NOW when set)
    days: int | None = None


def window_of(options: WindowOptions) -> Window:
    if options.days is not None and options.since is not None:
        raise UsageError("--days and --since both say where the window starts; give one")
    until = _point(options.until, "--until") if options.until else now()
    if options.days is not None:
        since = until - timedelta(days=options.days)
    elif options.since is not None:
        since = _since(options.since, until)
    else:
        since = until - timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise UsageError(
            f"the window is empty: it starts {since.isoformat()} and ends {until.isoformat()}",
            hint="give --since before --until",
        )
    return Window(since.astimezone(UTC), until.astimezone(UTC))


def _since(text: str, until: datetime) -> datetime:
    try:
        return until - parse_duration(text)
    except ValueError:
        return _point(text, "--since")


def _point(text: str, option: str) -> datetime:
    try:
        found = parse_time_point(text)
    except ValueError as exc:
        raise UsageError(
            f"{option} {text!r}: {exc}", hint="e.g. 90d, 2026-09-01 or 2026-09-01T00:00:00Z"
        ) from None
    if isinstance(found, datetime):
        return found
    assert isinstance(found, date)
    return datetime(found.year, found.month, found.day, tzinfo=UTC)
