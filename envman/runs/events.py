"""What a run's event log says about how terraform's apply ended (for reconciliation)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APPLIED = "applied"
FAILED = "failed"
INTERRUPTED = "interrupted"
ROLLED_BACK = "rolled_back"


@dataclass
class ApplyOutcome:
    status: str
    error: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    completed: int = 0

    def describe(self) -> str:
        if self.status == APPLIED:
            return "terraform finished the apply"
        if self.status == ROLLED_BACK:
            return "terraform finished the apply; a later release rolled it back"
        if self.status == FAILED:
            return f"terraform's apply failed: {self.error}"
        done = f" after {self.completed} completed change(s)" if self.completed else ""
        return f"terraform's apply stopped before it finished{done}"


def read_outcome(log: Path) -> ApplyOutcome | None:
    """The outcome recorded in an apply event log, or None when there is no log."""
    try:
        lines = log.read_bytes().splitlines()
    except OSError:
        return None
    outcome = ApplyOutcome(INTERRUPTED)
    for raw in lines:
        try:
            event = json.loads(raw)
        except ValueError:
            continue  # a line cut short when the machine died
        if isinstance(event, dict):
            _feed(outcome, event)
    return outcome


def _feed(outcome: ApplyOutcome, event: dict[str, Any]) -> None:
    kind = event.get("type")
    if kind == "apply_complete":
        outcome.completed += 1
    elif kind == "change_summary" and (event.get("changes") or {}).get("operation") == "apply":
        outcome.status = APPLIED
    elif kind == "outputs":
        outcome.outputs = _outputs(event.get("outputs") or {})
    elif kind == "diagnostic":
        diagnostic = event.get("diagnostic") or {}
        if diagnostic.get("severity") == "error" and outcome.status != APPLIED:
            outcome.status = FAILED
            outcome.error = outcome.error or str(diagnostic.get("summary", "error")).strip()


def _outputs(raw: dict[str, Any]) -> dict[str, Any]:
    """Non-sensitive output values; sensitive ones only as ``{"sensitive": true}``."""
    values: dict[str, Any] = {}
    for name, item in raw.items():
        if not isinstance(item, dict):
            continue
        values[name] = {"sensitive": True} if item.get("sensitive") else item.get("value")
    return values
