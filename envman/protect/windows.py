"""Deploy windows: deny weekdays and freezes (filled in by the Operations work)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from envman.config.project import Environment

Operation = Literal["apply", "promote", "rollback"]


def check_windows(
    env: Environment, operation: Operation, now: datetime, break_glass: str | None
) -> list[str]:
    """Raise ProtectionRefused when a window forbids the operation now.

    Returns the names of the rules that --break-glass overrode (recorded in the release).
    """
    return []
