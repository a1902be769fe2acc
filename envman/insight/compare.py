"""`envman diff SOURCE TARGET`: what promoting SOURCE into TARGET would carry (docs/insight.md).

The promoted values (TARGET's variable: current → SOURCE's output), every other recorded value
that differs, the commits SOURCE's code has that TARGET's has not, and each side's release,
verification and drift. Read only: nothing is planned, locked or written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from envman.config.project import Environment
from envman.insight.gitlog import commits_between
from envman.insight.sides import Ledgers, component_names, release_brief
from envman.insight.values import SENSITIVE, UNSET, Values, changes, running_values

# the drift state of an environment's ledger (commands/status.py reads it): a dict or None
DriftReader = Callable[[Environment], dict[str, Any] | None]


@dataclass(frozen=True)
class Side:
    env: Environment
    values: Values
    brief: dict[str, Any] | None
    commit: str | None
    drift: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.env.name,
            "release": self.brief,
            "commit": self.commit,
            "drift": self.drift,
        }


def read_side(ledgers: Ledgers, env: Environment, drift: DriftReader) -> Side:
    ledger = ledgers.of(env.name)
    current = ledger.current()
    values = running_values(ledger, component_names(ledgers.project, env))
    commit = ledgers.carried_commit(current) if current is not None else None
    return Side(env, values, release_brief(current), commit, drift(env))


def compare(
    ledgers: Ledgers, source: Environment, target: Environment, drift: DriftReader
) -> dict[str, Any]:
    """The diff document (the `--json` output)."""
    old, new = read_side(ledgers, target, drift), read_side(ledgers, source, drift)
    promotion = target.config.promotion
    mapping = promotion.variables if promotion and promotion.source == source.name else {}
    promoted = [
        _promoted(variable, output, old.values, new.values)
        for variable, output in sorted(mapping.items())
    ]
    shown = set(mapping)
    others = [
        c.to_json()
        for c in changes(old.values.values, new.values.values)
        if c.name not in shown and c.name not in old.values.sensitive | new.values.sensitive
    ]
    sensitive = sorted((old.values.sensitive | new.values.sensitive) - shown)
    commits = commits_between(ledgers.project.root, old.commit, new.commit)
    return {
        "source": new.to_json(),
        "target": old.to_json(),
        "promotes": bool(mapping),
        "promoted": promoted,
        "differences": others,
        "sensitive": sensitive,
        "commits": commits.to_json(),
    }


def _promoted(variable: str, output: str, target: Values, source: Values) -> dict[str, Any]:
    """One promoted variable: what the target runs, what the source's output would give."""
    if output in source.sensitive or variable in target.sensitive:
        return {
            "variable": variable,
            "output": output,
            "old": SENSITIVE,
            "new": SENSITIVE,
            "sensitive": True,
            "changes": None,
        }
    old = target.values.get(variable, UNSET)
    new = source.outputs.get(output, UNSET)
    return {"variable": variable, "output": output, "old": old, "new": new, "changes": old != new}
