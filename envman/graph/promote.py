"""Promotion and rollback of an environment made of components (docs/components.md).

Promotion names variables and outputs as `component.name`; only the components whose inputs
change are planned; their dependents only when a consumed output changes (they then wait for
the upstream to apply).
Rollback re-applies, in graph order, the earlier release's inputs of each component whose
pins differ from the current ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from envman.config.project import Environment, Project
from envman.errors import ConfigError, EnvmanError, UsageError
from envman.graph.model import downstream_closure
from envman.graph.plan import GraphTarget, component_entry, component_pins, component_workspace
from envman.graph.select import graph_target
from envman.input_values import Source
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Release, SourceRef
from envman.releases.promote import check_source_release, running_release
from envman.terraform.state_direct import current_outputs

_UNKNOWN = object()


@dataclass(frozen=True)
class GraphChange:
    """What a promotion or rollback plans: the target, and each changed value (for display)."""

    target: GraphTarget
    changes: list[tuple[str, Any, Any]]  # ("component.variable", old, new)
    source: SourceRef | None = None
    rollback_to: Release | None = None


def plan_graph_promotion(
    project: Project, env: Environment, source_name: str | None
) -> GraphChange:
    promotion = env.config.promotion
    if promotion is None:
        raise UsageError(f"environment '{env.name}' has no promotion block")
    source_env = project.environment(source_name or promotion.source)
    source_ledger = Ledger(store_for(source_env), source_env.name)
    running = running_release(source_ledger)
    check_source_release(running, promotion, source_env.name)
    base = graph_target(project, env)
    source_target = graph_target(project, source_env)
    outputs: dict[str, dict[str, Any]] = {}
    typed: dict[str, dict[str, Any]] = {}
    for variable_ref, output_ref in promotion.variables.items():
        component, _, variable = _split(env, variable_ref, base.names)
        upstream, _, output = _split(source_env, output_ref, source_target.names)
        if upstream not in outputs:
            workspace = component_workspace(source_target, upstream)
            outputs[upstream] = {k: v.value for k, v in current_outputs(workspace).items()}
        if output not in outputs[upstream]:
            raise EnvmanError(
                f"'{source_env.name}' component '{upstream}' has no output '{output}' in its state",
                hint=f"apply {source_env.name} first",
            )
        typed.setdefault(component, {})[variable] = outputs[upstream][output]
    ledger = Ledger(store_for(env), env.name)
    changes, changed = _differences(ledger, typed, None)
    if ledger.current() is None:  # a first build (or after a destroy): every component
        changed = [*changed, *(n for n in base.names if n not in changed)]
    source = SourceRef(environment=source_env.name, seq=running.seq if running else None)
    target = _narrowed(base, changed, typed, Source.PROMOTION)
    return GraphChange(target, changes, source=source)


def plan_graph_rollback(project: Project, env: Environment, to_seq: int | None) -> GraphChange:
    ledger = Ledger(store_for(env), env.name)
    current = ledger.current()
    if current is None:
        raise UsageError(f"'{env.name}' has no current release to roll back from")
    goal = ledger.get(to_seq) if to_seq is not None else ledger.previous_successful(current.seq)
    if goal is None or not goal.succeeded:
        raise UsageError(
            f"'{env.name}' has no earlier successful release to roll back to",
            hint="name one with --to SEQ (envman history)",
        )
    base = graph_target(project, env)
    typed = {name: _inputs_then(ledger, name, goal.seq) for name in base.names}
    changes, changed = _differences(ledger, typed, None)
    target = _narrowed(base, changed, typed, Source.ROLLBACK)
    return GraphChange(target, changes, rollback_to=goal)


def _inputs_then(ledger: Ledger, name: str, seq: int) -> dict[str, Any]:
    """The component's pins as of release ``seq``; a variable pinned since then takes the
    value it had then (as recorded; a sensitive one is never recorded and stays)."""
    found = component_entry(ledger, name, below=seq + 1)
    if found is None:
        return {}
    entry = found[0]
    values = dict(entry.get("inputs") or {})
    recorded = entry.get("values") or {}
    for variable in component_pins(ledger, name).inputs:
        item = recorded.get(variable)
        if variable not in values and isinstance(item, dict) and "value" in item:
            values[variable] = item["value"]
    return values


def _split(env: Environment, ref: str, names: list[str]) -> tuple[str, str, str]:
    component, dot, name = ref.partition(".")
    if not dot or component not in names:
        raise ConfigError(
            f"promotion entry '{ref}' of '{env.name}' must name '<component>.<name>' of one of "
            f"its components ({', '.join(names)})",
            path=str(env.config_path),
        )
    return component, dot, name


def _differences(
    ledger: Ledger, typed: dict[str, dict[str, Any]], below: int | None
) -> tuple[list[tuple[str, Any, Any]], list[str]]:
    """(changed values, components with a changed value) against each component's pins."""
    changes: list[tuple[str, Any, Any]] = []
    changed: list[str] = []
    for name, values in typed.items():
        found = component_entry(ledger, name, below)
        entry = found[0] if found is not None else {}
        pins = dict(entry.get("inputs") or {})
        ran = {
            k: e["value"]
            for k, e in (entry.get("values") or {}).items()
            if isinstance(e, dict) and "value" in e
        }
        differ = [
            (f"{name}.{k}", pins.get(k, ran.get(k)), v)
            for k, v in values.items()
            if pins.get(k, ran.get(k, _UNKNOWN)) != v  # what it runs with, pinned or not
        ]
        if differ:
            changes.extend(differ)
            changed.append(name)
    return changes, changed


def _narrowed(
    base: GraphTarget, changed: list[str], typed: dict[str, dict[str, Any]], source: Source
) -> GraphTarget:
    below = downstream_closure(base.components.edges(), changed)
    targets = [n for n in base.names if n in below]
    kept = {n: typed[n] for n in changed if n in typed}
    follow = frozenset(below) - set(changed)
    return replace(base, targets=targets, typed=kept, override_source=source, follow=follow)
