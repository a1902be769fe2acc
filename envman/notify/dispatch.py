"""Send notifications for an environment's events (filled in by the Operations work)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from envman.config.project import Environment


@dataclass(frozen=True)
class Notification:
    event: str
    environment: str
    title: str
    lines: list[str] = field(default_factory=list)
    release: dict[str, Any] | None = None
    break_glass: str | None = None


def notify(env: Environment, notification: Notification) -> None:
    """Post to every notify block subscribed to the event. Never raises."""
    return None
