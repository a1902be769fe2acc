"""Which release each component runs: the current release chain (docs/architecture.md).

The pins of a component are the inputs of its entry in the newest *successful* release
(applied or verified) that applied it; a destroy of it since ends the chain. A single-stack
environment is the one implicit component, so its pins are its current release's inputs.
There is no look-back limit: a component left alone by a hundred runs of the others keeps its
pins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envman.releases.ledger import Ledger
from envman.releases.models import IMPLICIT, ComponentEntry, ComponentStatus, Release


@dataclass(frozen=True)
class Pins:
    inputs: dict[str, Any]
    seq: int | None


@dataclass(frozen=True)
class Running:
    """A component's entry in the release that put its state in place, and that release."""

    entry: ComponentEntry
    release: Release

    @property
    def seq(self) -> int:
        return self.release.seq


def running_entry(
    ledger: Ledger | None, name: str, below: int | None = None, *, any_status: bool = False
) -> Running | None:
    """The component's entry in the newest successful release (seq < ``below`` when given)
    that applied it; None when none did, or when a destroy of it came after.

    With ``any_status``, the newest release that applied it whatever became of the release
    (a failed verification, a partial run): what its state holds now, not what it is pinned to.
    """
    if ledger is None:
        return None
    for release in ledger.newest_first(below):
        if not (release.succeeded or any_status):
            continue
        entry = release.entries().get(name)
        if entry is None:
            continue
        if entry.status == ComponentStatus.DESTROYED:
            return None  # destroyed since: a later apply starts from the stack's own values
        if entry.in_place:
            return Running(entry, release)
    return None


UNSETTLED: frozenset[ComponentStatus] = frozenset(
    {ComponentStatus.FAILED, ComponentStatus.INTERRUPTED, ComponentStatus.APPLYING}
)


def unsettled(ledger: Ledger, name: str) -> bool:
    """The newest run that touched the component failed or stopped during its apply, or its
    release failed verification: its terraform may well have finished, so the next apply
    records what its state holds now, changes or not."""
    for release in ledger.newest_first():
        entry = release.entries().get(name)
        if entry is not None:
            return entry.status in UNSETTLED or release.status == "verify_failed"
    return False


def component_pins(ledger: Ledger | None, name: str, below: int | None = None) -> Pins:
    """The pins of the component: its inputs in the release chain."""
    found = running_entry(ledger, name, below)
    if found is None:
        return Pins({}, None)
    return Pins(dict(found.entry.inputs), found.seq)


def ran_with(entry: ComponentEntry) -> dict[str, Any]:
    """Every recorded (non-sensitive) value the component ran with, pins included."""
    values = {
        k: e["value"]
        for k, e in (entry.values or {}).items()
        if isinstance(e, dict) and "value" in e
    }
    return {**values, **entry.inputs}


def values_as_of(ledger: Ledger, seq: int, names: list[str]) -> dict[str, dict[str, Any]]:
    """What each component ran with once release ``seq`` was in place (its chain then)."""
    found = {n: running_entry(ledger, n, below=seq + 1, any_status=True) for n in names}
    return {n: ran_with(r.entry) for n, r in found.items() if r is not None}


def recorded_outputs(ledger: Ledger, below: int | None, names: list[str]) -> dict[str, Any]:
    """The outputs each component's chain recorded (releases with seq < ``below``): each as
    `name` (the first component in ``names`` that has it) and as `component.name` — the shape
    verification and hooks read; a single stack's are its current release's outputs."""
    merged: dict[str, Any] = {}
    for name in names:
        found = running_entry(ledger, name, below)
        for output, value in (found.entry.outputs or {}).items() if found is not None else ():
            merged.setdefault(output, value)
            if name != IMPLICIT:
                merged[f"{name}.{output}"] = value
    return merged
