"""Variable changes between the release in place and a run (the promote/rollback table)."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from envman.display import version_table
from envman.inputs import RunInputs


def show_changes(console: Console, title: str, rows: list[tuple[str, str, str]]) -> None:
    if rows:
        version_table(console, title, rows, set())
    else:
        console.print(f"{title}: no variable changes.")


def change_lines(rows: list[tuple[str, str, str]], verb: str) -> tuple[str, ...]:
    """Notification lines: `image_tag: 1.2.0 → 1.3.0 (promoted)`."""
    return tuple(f"{name}: {old} → {new} ({verb})" for name, old, new in rows)


def sensitive_notes(inputs: RunInputs, seq: int) -> list[str]:
    """Sensitive variables of a rollback come from their current source: say so."""
    notes = []
    for name, entry in sorted(inputs.values.items()):
        if entry.get("sensitive"):
            notes.append(
                f"{name} is sensitive: its value is never recorded, so it comes from its current "
                f"source ({_where(entry)}), not from release #{seq}"
            )
    return notes


def _where(entry: dict[str, Any]) -> str:
    return str(entry.get("file") or entry.get("source") or "?")
