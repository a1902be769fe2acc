"""Durations, points in time and the clock (ENVMAN_NOW replaces it)."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta

from envman.errors import ConfigError

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: object) -> timedelta:
    """Parse '90s', '2h', '1h30m', '7d'. Plain numbers are seconds."""
    if isinstance(text, bool):
        raise ValueError("expected a duration such as '30s', '2h' or '7d'")
    if isinstance(text, int | float):
        return timedelta(seconds=float(text))
    if isinstance(text, timedelta):
        return text
    if not isinstance(text, str):
        raise ValueError("expected a duration such as '30s', '2h' or '7d'")
    value = text.strip().lower()
    pos = 0
    total = 0.0
    for match in _DURATION.finditer(value):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not value or pos != len(value):
        raise ValueError(f"invalid duration {text!r}: use e.g. '30s', '15m', '2h', '1h30m', '7d'")
    return timedelta(seconds=total)


def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 0:
        seconds = 0
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")) if n]
    return "".join(parts[:2]) or "0s"


def parse_time_point(text: object) -> date | datetime:
    """A date ('2026-12-19') or an RFC 3339 time with an offset."""
    if isinstance(text, datetime):
        return text
    if isinstance(text, date):
        return text
    if not isinstance(text, str):
        raise ValueError("expected a date (YYYY-MM-DD) or an RFC 3339 time")
    value = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"invalid date {text!r}: {exc}") from None
    return parse_rfc3339(value)


def parse_rfc3339(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"invalid time {value!r}: use a date (2026-12-19) or RFC 3339 (2026-12-19T08:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(f"time {value!r} has no UTC offset: add 'Z' or '+01:00'")
    return moment


def now() -> datetime:
    """The current time, or ENVMAN_NOW (RFC 3339) when set."""
    override = os.environ.get("ENVMAN_NOW")
    if override:
        try:
            return parse_rfc3339(override)
        except ValueError as exc:
            raise ConfigError(
                f"ENVMAN_NOW: {exc}", hint="unset it or give an RFC 3339 time"
            ) from None
    return datetime.now(UTC)


def clock_override() -> dict[str, str] | None:
    """When ENVMAN_NOW replaces the clock: the time it says and the real time (else None)."""
    if not os.environ.get("ENVMAN_NOW"):
        return None
    return {"now": iso(now()), "real": iso(datetime.now(UTC))}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
