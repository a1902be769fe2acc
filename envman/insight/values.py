"""What an environment runs, as one flat map of values: ``name`` for a single stack,
``component.name`` per component; and the differences between two such maps.

Sensitive values are never read: the ledger holds only ``{"sensitive": true}`` for them, and
they are named as such (``SENSITIVE``), never compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envman.releases.chain import running_entry
from envman.releases.ledger import Ledger
from envman.releases.models import IMPLICIT, ComponentEntry

SENSITIVE = "(sensitive)"
UNSET = "(unset)"


@dataclass(frozen=True)
class Values:
    """Values (and outputs) an environment runs with; sensitive names kept apart."""

    values: dict[str, Any]
    outputs: dict[str, Any]
    sensitive: frozenset[str]


def key(component: str, name: str) -> str:
    return name if component == IMPLICIT else f"{component}.{name}"


def running_values(
    ledger: Ledger, components: list[str], below: int | None = None, *, in_state: bool = False
) -> Values:
    """What each component runs (its chain's entry, seq < ``below`` when given); with
    ``in_state``, what its state holds whatever became of the release (a rolled-back one)."""
    values: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    sensitive: set[str] = set()
    for component in components:
        found = running_entry(ledger, component, below, any_status=in_state)
        if found is None:
            continue
        entry_values(found.entry, component, values, sensitive)
        for name, value in (found.entry.outputs or {}).items():
            if _is_sensitive(value):
                sensitive.add(key(component, name))
            else:
                outputs[key(component, name)] = value
    return Values(values, outputs, frozenset(sensitive))


def entry_values(
    entry: ComponentEntry, component: str, into: dict[str, Any], sensitive: set[str]
) -> None:
    """The entry's values (pins win) into ``into``; sensitive names into ``sensitive``."""
    for name, recorded in (entry.values or {}).items():
        if isinstance(recorded, dict) and "value" in recorded:
            into[key(component, name)] = recorded["value"]
        elif isinstance(recorded, dict) and recorded.get("sensitive"):
            sensitive.add(key(component, name))
    for name, value in entry.inputs.items():
        if _is_sensitive(value):
            sensitive.add(key(component, name))
        else:
            into[key(component, name)] = value


@dataclass(frozen=True)
class Change:
    name: str
    old: Any
    new: Any
    known: bool = True  # False: a sensitive value, never compared

    def to_json(self) -> dict[str, Any]:
        if not self.known:
            return {"name": self.name, "old": SENSITIVE, "new": SENSITIVE, "sensitive": True}
        return {"name": self.name, "old": self.old, "new": self.new}


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every name whose value differs (one side may lack it), sorted by name."""
    names = sorted(set(old) | set(new))
    return [
        Change(n, old.get(n, UNSET), new.get(n, UNSET))
        for n in names
        if old.get(n, UNSET) != new.get(n, UNSET)
    ]


def _is_sensitive(value: Any) -> bool:
    return isinstance(value, dict) and value.get("sensitive") is True and len(value) == 1
