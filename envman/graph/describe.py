"""Per-component lines for history and status (docs/components.md)."""

from __future__ import annotations

from typing import Any

from envman.config.project import Environment, Project
from envman.graph.config import load_components
from envman.graph.environment import environment_components
from envman.input_values import show
from envman.releases.chain import ran_with, running_entry
from envman.releases.ledger import Ledger
from envman.releases.models import ComponentEntry, ComponentStatus
from envman.secrets.redactor import redact


def describe_components(entries: dict[str, ComponentEntry]) -> str:
    """`app applied (image_tag=v2); data failed` for a history row."""
    parts = []
    for name, entry in entries.items():
        shown = ", ".join(f"{k}={show(v)}" for k, v in sorted(entry.inputs.items()))
        parts.append(f"{name} {entry.status}" + (f" ({shown})" if shown else ""))
    return redact("; ".join(parts)) or "-"


def component_status(project: Project, env: Environment, ledger: Ledger) -> dict[str, Any]:
    """Each component's newest applied entry: the release that applied it and its pins."""
    components = load_components(project)
    found: dict[str, Any] = {}
    for name in environment_components(project, env, components):
        running = running_entry(ledger, name)
        if running is None:
            found[name] = _destroyed(ledger, name)
            continue
        entry = running.entry
        found[name] = {
            "seq": running.seq,
            "inputs": dict(entry.inputs),
            "finished_at": entry.finished_at,
            "ran_with": ran_with(entry),
            "outputs": dict(entry.outputs or {}),
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
    for release in ledger.newest_first():
        entry = release.entries().get(name)
        if entry is None or not release.succeeded:
            continue
        if entry.status == ComponentStatus.DESTROYED:
            return {"seq": release.seq, "destroyed": True, "inputs": {}}
        if entry.in_place:
            return None
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
