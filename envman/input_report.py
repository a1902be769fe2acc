"""Lines that tell people where a run's inputs come from (pins, --set, promotion, rollback)."""

from __future__ import annotations

from typing import Any

from envman.input_values import Source, show
from envman.inputs import RunInputs

SENSITIVE = "<sensitive>"


def input_lines(inputs: RunInputs, sensitive: set[str]) -> list[str]:
    lines: list[str] = []
    if inputs.pinned:
        lines.append(
            f"Pinned from release #{inputs.pinned_from}: {_pairs(inputs.pinned, sensitive)}"
        )
    if inputs.overrides:
        lines.append(f"{_override_label(inputs)}: {_pairs(inputs.overrides, sensitive)}")
    for name in inputs.unpinned:
        entry = inputs.values.get(name) or {}
        value = SENSITIVE if name in sensitive else show(entry.get("value"))
        lines.append(f"Unpinned {name}: takes the code's value {value} ({_origin(entry)})")
    for conflict in inputs.conflicts:
        lines.append(f"Pin differs from the code: {conflict}")
    if inputs.one_off:
        names = ", ".join(inputs.one_off)
        lines.append(
            f"One-off for this run (not pinned; later runs take the code's value): {names} "
            "(add --pin NAME to keep it)"
        )
    return lines


def _override_label(inputs: RunInputs) -> str:
    origin = _origin_of_overrides(inputs)
    if inputs.override_source == Source.PROMOTION:
        return f"Promoted from {origin}" if origin else "Promoted"
    if inputs.override_source == Source.ROLLBACK:
        return f"Rolled back to the values of release {origin}" if origin else "Rolled back"
    return "Set on the command line"


def _origin_of_overrides(inputs: RunInputs) -> str | None:
    for name in inputs.overrides:
        found = (inputs.values.get(name) or {}).get("from")
        if found:
            return str(found)
    return None


def _origin(entry: dict[str, Any]) -> str:
    source = entry.get("source", "?")
    return f"{source} {entry['file']}" if entry.get("file") else str(source)


def _pairs(values: dict[str, Any], sensitive: set[str]) -> str:
    return ", ".join(
        f"{k}={SENSITIVE if k in sensitive else show(v)}" for k, v in sorted(values.items())
    )
