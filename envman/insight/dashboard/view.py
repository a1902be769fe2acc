"""What a dashboard shows, gathered by the command (envman.commands.report) and rendered here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from envman.insight.model import EnvMetrics, Window
from envman.releases.models import Release


@dataclass(frozen=True)
class Pending:
    """A promoted value the source runs and this environment does not yet."""

    source: str
    variable: str
    current: Any
    new: Any


@dataclass(frozen=True)
class EnvView:
    name: str
    metrics: EnvMetrics
    releases: tuple[Release, ...] = ()  # by seq
    description: str = ""
    source: str | None = None
    current: Release | None = None
    latest: Release | None = None
    versions: dict[str, Any] = field(default_factory=dict)  # promoted values it runs
    drift: dict[str, Any] | None = None  # drift/last.json
    drift_stale: bool = False
    components: dict[str, Any] = field(default_factory=dict)  # name -> what runs there
    pending: tuple[Pending, ...] = ()


@dataclass(frozen=True)
class Dashboard:
    title: str
    generated_at: datetime
    window: Window
    environments: tuple[EnvView, ...]
    problems: tuple[str, ...] = ()
