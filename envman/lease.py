"""Facts about processes and time that a lease relies on (Linux /proc; elsewhere: pid only).

A pid alone is not an identity: pids are reused, and another pid namespace has its own. A
process is named by (pid, start time since boot), and a host's boot by its boot id, so a lock
holder is judged gone only when that very process no longer runs on that very boot.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_LEASE_SECONDS = 120.0
LEASE_VARIABLE = "ENVMAN_LOCK_LEASE_SECONDS"


def lease_seconds() -> float:
    """How long a lease lives without renewal (``ENVMAN_LOCK_LEASE_SECONDS``, default 120)."""
    raw = os.environ.get(LEASE_VARIABLE, "")
    try:
        value = float(raw) if raw else DEFAULT_LEASE_SECONDS
    except ValueError:
        return DEFAULT_LEASE_SECONDS
    return value if value > 0 else DEFAULT_LEASE_SECONDS


def wall_clock() -> datetime:
    """The real time: leases never follow ``ENVMAN_NOW``."""
    return datetime.now(UTC)


def boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def process_start(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" when unknown)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


MAX_PID = 2**22  # Linux's largest pid_max (4194304); other systems stay below it


def process_alive(pid: int, start: str) -> bool:
    """Does the process ``pid`` that started at ``start`` still run (zombies count as gone)?"""
    if not 0 < pid <= MAX_PID:  # a pid from a file: os.kill overflows past a C int
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass  # exists, owned by someone else, or cannot tell: look closer, else assume alive
    now_start = process_start(pid)
    if start and now_start and now_start != start:
        return False  # the pid was reused by another process
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    fields = stat[stat.rfind(")") + 2 :].split()
    return bool(fields) and fields[0] in ("Z", "X")
