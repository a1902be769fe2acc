"""Per-component lines for history and status (docs/components.md)."""

from __future__ import annotations

from typing import Any

from envman.config.project import Environment, Project
from envman.graph.config import load_components
from envman.graph.environment import environment_components
from envman.graph.plan import PIN_SCAN, component_entry
from envman.input_values import show
from envman.releases.ledger import Ledger
from envman.secrets.redactor import redact


def describe_components(entries: dict[str, Any]) -> str:
    """`app applied (image_tag=v2); data failed` for a history row."""
    parts = []
    for name, entry in entries.items():
        if not isinstance(entry, dict):
            continue
        pins = entry.get("inputs") or {}
        shown = ", ".join(f"{k}={show(v)}" for k, v in sorted(pins.items()))
        parts.append(f"{name} {entry.get('status', '?')}" + (f" ({shown})" if shown else ""))
    return redact("; ".join(parts)) or "-"


def component_status(project: Project, env: Environment, ledger: Ledger) -> dict[str, Any]:
    """Each component's newest applied entry: the release that applied it and its pins."""
    components = load_components(project)
    found: dict[str, Any] = {}
    for name in environment_components(project, env, components):
        entry = component_entry(ledger, name)
        if entry is None:
            found[name] = _destroyed(ledger, name)
            continue
        values = entry[0].get("values") or {}
        found[name] = {
            "seq": entry[1],
            "inputs": entry[0].get("inputs") or {},
            "finished_at": entry[0].get("finished_at"),
            "ran_with": {
                k: v["value"] for k, v in values.items() if isinstance(v, dict) and "value" in v
            },
            "outputs": entry[0].get("outputs") or {},
        }
    return found


def component_values(row: dict[str, Any], key: str) -> dict[str, Any]:
    """`{"app.image_tag": value}` of a status row's components: what each ran with
    (``key`` = "ran_with") or the outputs it left ("outputs"; sensitive ones never)."""
    found: dict[str, Any] = {}
    for name, item in (row.get("components") or {}).items():
        for variable, value in ((item or {}).get(key) or {}).items():
            if not (isinstance(value, dict) and value.get("sensitive")):
                found[f"{name}.{variable}"] = value
    return found


def _destroyed(ledger: Ledger, name: str) -> dict[str, Any] | None:
    """The destroy that removed the component, when that is its newest entry."""
    for scanned, release in enumerate(ledger.newest_first()):
        entry = (release.components or {}).get(name)
        if scanned >= PIN_SCAN or (isinstance(entry, dict) and entry.get("status") == "applied"):
            return None
        if isinstance(entry, dict) and entry.get("status") == "destroyed":
            return {"seq": release.seq, "destroyed": True, "inputs": {}}
    return None


def describe_pins(status: dict[str, Any]) -> str:
    """`app#3: image_tag=v2; network#1` for a status row."""
    parts = []
    for name, item in status.items():
        if item is None:
            parts.append(f"{name}: never applied")
            continue
        if item.get("destroyed"):
            parts.append(f"{name}: destroyed by #{item['seq']}")
            continue
        pins = ", ".join(f"{k}={show(v)}" for k, v in sorted(item["inputs"].items()))
        parts.append(f"{name}#{item['seq']}" + (f": {pins}" if pins else ""))
    return redact("; ".join(parts))
