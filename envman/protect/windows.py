"""Deploy windows: deny weekdays and freezes (docs/configuration.md, `protection`).

Rules, all evaluated in ``protection.timezone``:

- ``deny_weekdays``: apply and promote are refused during those whole local days. Rollback is
  allowed on deny days: rolling back is the safe direction.
- ``freeze "name" { from, to }``: dates are whole local days, both inclusive; RFC 3339 times
  are exact instants (``to`` exclusive). Rollback is allowed in freezes unless
  ``allow_rollback_in_freeze = false``.

A refusal names every rule in force and the next moment the operation is allowed, found by
walking forward over consecutive deny days and overlapping freezes. ``--break-glass REASON``
overrides the windows (not confirmation); the overridden rules are returned for the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from envman.config.models import WEEKDAYS, Freeze, Protection
from envman.config.project import Environment
from envman.errors import ProtectionRefused, UsageError
from envman.say import Say

Operation = Literal["apply", "promote", "rollback"]
_MAX_STEPS = 1000  # each step moves past at least one whole day or one freeze


@dataclass(frozen=True)
class Block:
    """A rule that forbids the operation during [start, end)."""

    rule: str  # "deny_weekdays:Friday" or "freeze:holidays"
    start: datetime
    end: datetime
    description: str


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def freeze_interval(freeze: Freeze, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a freeze: dates are whole local days, inclusive at both ends."""
    start = freeze.start
    end = freeze.end
    begin = start if isinstance(start, datetime) else local_midnight(start, tz)
    finish = end if isinstance(end, datetime) else local_midnight(end + timedelta(days=1), tz)
    return begin, finish


def blocks_at(protection: Protection, operation: Operation, moment: datetime) -> list[Block]:
    """The rules that forbid OPERATION at MOMENT."""
    tz = ZoneInfo(protection.timezone)
    found: list[Block] = []
    if operation != "rollback" and protection.deny_weekdays:
        local = moment.astimezone(tz)
        day = WEEKDAYS[local.weekday()]
        if day in protection.deny_weekdays:
            found.append(
                Block(
                    rule=f"deny_weekdays:{day}",
                    start=local_midnight(local.date(), tz),
                    end=local_midnight(local.date() + timedelta(days=1), tz),
                    description=f"on {day} (protection.deny_weekdays)",
                )
            )
    if operation == "rollback" and protection.allow_rollback_in_freeze:
        return found
    for freeze in protection.freeze:
        start, end = freeze_interval(freeze, tz)
        if start <= moment < end:
            reason = f": {freeze.reason}" if freeze.reason else ""
            found.append(
                Block(
                    rule=f"freeze:{freeze.name}",
                    start=start,
                    end=end,
                    description=f'during freeze "{freeze.name}"{reason} (protection.freeze)',
                )
            )
    return found


def next_allowed(protection: Protection, operation: Operation, moment: datetime) -> datetime | None:
    """The first moment at or after MOMENT when no rule forbids OPERATION (None: never)."""
    if operation != "rollback" and set(protection.deny_weekdays) >= set(WEEKDAYS):
        return None
    current = moment
    for _ in range(_MAX_STEPS):
        active = blocks_at(protection, operation, current)
        if not active:
            return current
        current = max(block.end for block in active)
    return None


def format_moment(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%A %Y-%m-%d %H:%M} {local.tzname()}"


def check_windows(
    env: Environment,
    operation: Operation,
    now: datetime,
    break_glass: str | None,
    warn: Say | None = None,
) -> list[str]:
    """Raise ProtectionRefused when a window forbids the operation now.

    Returns the names of the rules that --break-glass overrode (recorded in the release);
    the override is said in one line through ``warn`` (the command's stderr).
    """
    if break_glass is not None and not break_glass.strip():
        raise UsageError("--break-glass needs a reason", hint='e.g. --break-glass "INC-123 fix"')
    protection = env.config.protection
    active = blocks_at(protection, operation, now)
    if not active:
        return []
    rules = [block.rule for block in active]
    if break_glass is not None and operation != "rollback":
        if warn is not None:
            warn(
                f"envman: warning: break-glass on '{env.name}': overriding {', '.join(rules)} "
                f"({break_glass.strip()})"
            )
        return rules
    until = next_allowed(protection, operation, now)
    when = (
        f"until {format_moment(until, protection.timezone)}"
        if until is not None
        else "at any time (every weekday is denied)"
    )
    what = "rollbacks" if operation == "rollback" else "deploys"
    reasons = " and ".join(block.description for block in active)
    if operation == "rollback":
        hint = "set protection.allow_rollback_in_freeze = true to allow rollbacks in freezes"
    else:
        hint = "override with --break-glass REASON (recorded in the release and notified)"
    raise ProtectionRefused(f"{env.name}: {what} are not allowed {reasons} {when}", hint=hint)
