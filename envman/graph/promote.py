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
from envman.errors import ConfigError, UsageError
from envman.graph.model import downstream_closure
from envman.graph.plan import GraphTarget, component_workspace, data_upstreams
from envman.graph.select import graph_target
from envman.input_values import Source, show
from envman.operate.destroy import check_not_destroyed
from envman.releases.chain import ran_with, running_entry, values_as_of
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import IMPLICIT, Release, SourceRef
from envman.releases.promote import check_source_release, promoted_value, running_release
from envman.releases.rollback import restored_entry, rollback_target
from envman.terraform.models import OutputValue
from envman.terraform.state_direct import current_outputs, current_state_info

_UNKNOWN = object()


@dataclass(frozen=True)
class GraphChange:
    """What a promotion or rollback plans: the target, and each changed value (for display)."""

    target: GraphTarget
    changes: list[tuple[str, Any, Any]]  # ("component.variable" or a single stack's name, old, new)
    title: str  # "Promotion staging → production", "Rollback of dev to release #4"
    source: SourceRef | None = None
    rollback_to: Release | None = None
    notes: tuple[str, ...] = ()  # what the user should know about restored values

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        """The changes as people read them."""
        return [(ref, show(old), show(new)) for ref, old, new in self.changes]


def plan_graph_promotion(
    project: Project, env: Environment, source_name: str | None
) -> GraphChange:
    promotion = env.config.promotion
    if promotion is None:
        raise UsageError(f"environment '{env.name}' has no promotion block")
    source_env = project.environment(source_name or promotion.source)
    source_ledger = Ledger(store_for(source_env), source_env.name)
    if source_env.name == env.name:
        raise UsageError(f"cannot promote '{env.name}' into itself")
    running = running_release(source_ledger)
    check_not_destroyed(source_ledger, "promote from")
    check_source_release(running, promotion, source_env.name)
    base = graph_target(project, env)
    source_target = graph_target(project, source_env)
    typed: dict[str, dict[str, Any]] = {}
    refs = [
        (_split(env, to, base.names), _split(source_env, of, source_target.names), to, of)
        for to, of in promotion.variables.items()
    ]
    outputs = _source_outputs(source_target, {ref[1][0] for ref in refs})
    for (component, _, variable), (upstream, _, output), variable_ref, output_ref in refs:
        found = outputs[upstream].get(output)
        value = promoted_value(found, output_ref, variable_ref, source_env.name)
        typed.setdefault(component, {})[variable] = value
    ledger = Ledger(store_for(env), env.name)
    changes, changed = _differences(ledger, typed, None)
    if ledger.current() is None:  # a first build (or after a destroy): every component
        changed = [*changed, *(n for n in base.names if n not in changed)]
    seq = running.seq if running else None
    source = SourceRef(environment=source_env.name, seq=seq)
    if source_target.implicit:  # the state it was read from, as a single stack always said
        state = current_state_info(component_workspace(source_target, IMPLICIT))
        source = SourceRef(
            environment=source_env.name, seq=seq, serial=state.serial, lineage=state.lineage
        )
    origin = f"{source_env.name}#{seq}" if seq is not None else source_env.name
    target = _narrowed(base, changed, typed, (Source.PROMOTION, origin))
    title = f"Promotion {source_env.name} → {env.name}"
    return GraphChange(target, changes, title, source=source)


def _source_outputs(source: GraphTarget, names: set[str]) -> dict[str, dict[str, OutputValue]]:
    """The state outputs of ``names``, their upstreams' read first (in graph order), so that
    an output carrying a secret wired in from one of them counts as sensitive."""
    order = data_upstreams(source, sorted(names)) + [n for n in source.names if n in names]
    read = {n: current_outputs(component_workspace(source, n)) for n in order}
    return {n: read[n] for n in names}


def plan_graph_rollback(
    project: Project, env: Environment, to_seq: int | None, automatic: bool = False
) -> GraphChange:
    """Roll back to release ``to_seq`` (default: the newest successful one before the current
    that ran with other values — the same rule as a single stack's); each component whose
    values then differ from what it runs now is planned with them (its dependents follow)."""
    ledger = Ledger(store_for(env), env.name)
    base = graph_target(project, env)

    def same(a: Release, b: Release) -> bool:
        return values_as_of(ledger, a.seq, base.names) == values_as_of(ledger, b.seq, base.names)

    goal, _ = rollback_target(ledger, to_seq, automatic, same)
    typed: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for name in base.names:
        found = running_entry(ledger, name, below=goal.seq + 1, any_status=True)
        if found is not None:
            workspace = component_workspace(base, name)
            typed[name], said = restored_entry(workspace, found.entry, found.seq)
            notes.extend(f"{name}: {line}" if name != IMPLICIT else line for line in said)
    changes, changed = _differences(ledger, typed, None)
    target = _narrowed(base, changed, typed, (Source.ROLLBACK, f"#{goal.seq}"))
    title = f"Rollback of {env.name} to release #{goal.seq}"
    return GraphChange(target, changes, title, rollback_to=goal, notes=tuple(notes))


def _split(env: Environment, ref: str, names: list[str]) -> tuple[str, str, str]:
    if names == [IMPLICIT]:  # a single stack names its variables and outputs bare
        return IMPLICIT, "", ref
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
    """(changed values, components with a changed value) against each component's pins; a
    component whose newest run did not settle (failed, interrupted, or its status write was
    lost) counts as changed: what it runs now is not known from the ledger."""
    from envman.releases.chain import unsettled

    changes: list[tuple[str, Any, Any]] = []
    changed: list[str] = []
    for name, values in typed.items():
        found = running_entry(ledger, name, below, any_status=True)
        ran = ran_with(found.entry) if found is not None else {}
        differ = [
            (f"{name}.{k}" if name != IMPLICIT else k, ran.get(k), v)
            for k, v in values.items()
            if ran.get(k, _UNKNOWN) != v  # what it runs with, pinned or not
        ]
        if differ or unsettled(ledger, name):
            changes.extend(differ)
            changed.append(name)
    return changes, changed


def _narrowed(
    base: GraphTarget,
    changed: list[str],
    typed: dict[str, dict[str, Any]],
    source: tuple[Source, str],
) -> GraphTarget:
    below = downstream_closure(base.components.edges(), changed)
    targets = [n for n in base.names if n in below]
    kept = {n: typed[n] for n in changed if n in typed}
    follow = frozenset(below) - set(changed)
    return replace(
        base,
        targets=targets,
        typed=kept,
        override_source=source[0],
        origin=source[1],
        follow=follow,
    )
