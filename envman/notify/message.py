"""What a notification says, and how the notifier warns (shared by every channel)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Notification:
    event: str
    environment: str
    title: str
    lines: list[str] = field(default_factory=list)
    release: dict[str, Any] | None = None
    break_glass: str | None = None
    link: str | None = None  # e.g. a drift report; the CI run link is added automatically


def warn(message: str) -> None:
    print(f"envman: warning: {message}", file=sys.stderr, flush=True)
