"""Output formats of the insight commands (light: imported by the command line)."""

from __future__ import annotations

from enum import StrEnum


class MetricsFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
