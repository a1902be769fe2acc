"""Variable changes between the release in place and a run (the promote/rollback table)."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from envman.display import version_table
from envman.input_values import NOT_RECORDED, UNSET, show
from envman.inputs import RunInputs
from envman.releases.models import Release


def recorded_values(release: Release | None) -> dict[str, str] | None:
    """What a release ran with, for people; None when it did not record every value."""
    if release is None:
        return {}
    if release.values is None:
        return None
    return {
        name: show(entry["value"])
        for name, entry in release.values.items()
        if not entry.get("sensitive") and "value" in entry
    }


def value_changes(current: Release | None, inputs: RunInputs) -> list[tuple[str, str, str]]:
    """(variable, old, new) of every non-sensitive variable whose value changes."""
    old = recorded_values(current)
    legacy = {k: show(v) for k, v in (current.inputs if current else {}).items()}
    new = {
        name: show(entry["value"])
        for name, entry in inputs.values.items()
        if not entry.get("sensitive") and "value" in entry
    }
    rows = []
    for name in sorted(set(new) | set(old or legacy)):
        before = old.get(name, UNSET) if old is not None else legacy.get(name, NOT_RECORDED)
        after = new.get(name, UNSET)
        if before != after:
            rows.append((name, before, after))
    return rows


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
