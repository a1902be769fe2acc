"""What a graph run covers: `-c COMPONENT`, `--changed REF`, `--set component.name=VALUE`."""

from __future__ import annotations

from collections.abc import Iterable

from envman.config.project import Environment, Project
from envman.errors import UsageError
from envman.graph.config import Components, ComponentSpec, has_components, load_components
from envman.graph.environment import environment_components
from envman.graph.model import downstream_closure, topo_order
from envman.graph.plan import GraphTarget, component_workspace
from envman.inputs import parse_set
from envman.releases.models import IMPLICIT


def environment_graph(project: Project, env: Environment) -> tuple[Components, list[str]]:
    """The components of ``env`` and their names in graph order: a single-stack project's
    environment is the graph of one implicit component (its own stack, folder and state)."""
    if not has_components(project):
        path = project.settings_path or project.root / "envman.hcl"
        return Components({IMPLICIT: ComponentSpec(IMPLICIT, env.stack_dir)}, path), [IMPLICIT]
    components = load_components(project)
    return components, topo_order(
        components.edges(), environment_components(project, env, components)
    )


def graph_target(
    project: Project,
    env: Environment,
    only: Iterable[str] = (),
    sets: Iterable[str] = (),
    parallel: int = 2,
) -> GraphTarget:
    components, names = environment_graph(project, env)
    chosen = list(dict.fromkeys(only))
    for name in chosen:
        if name not in names:
            raise UsageError(
                f"-c {name}: environment '{env.name}' has no component '{name}'",
                hint=f"its components: {', '.join(names)}",
            )
    targets = [n for n in names if n in set(chosen)] if chosen else names
    if parallel < 1:
        raise UsageError("--parallel must be at least 1")
    target = GraphTarget(project, env, components, names, targets, {}, parallel)
    return GraphTarget(
        project, env, components, names, targets, split_sets(target, list(sets)), parallel
    )


def with_pins(target: GraphTarget, pin: Iterable[str], unpin: Iterable[str]) -> GraphTarget:
    """--pin / --unpin `component.name` (or a bare name: every component declaring it)."""
    from dataclasses import replace

    def per(names: Iterable[str]) -> dict[str, frozenset[str]]:
        if target.names == [IMPLICIT]:
            return {IMPLICIT: frozenset(names)} if names else {}
        split = split_sets(target, [f"{n}=" for n in names])
        return {component: frozenset(values) for component, values in split.items()}

    return replace(target, pin=per(pin), unpin=per(unpin))


def with_dependents(target: GraphTarget, changed: Iterable[str]) -> list[str]:
    """The changed components and every component of the environment downstream of them."""
    below = downstream_closure(target.components.edges(), changed)
    return [n for n in target.names if n in below]


def split_sets(target: GraphTarget, items: list[str]) -> dict[str, dict[str, str]]:
    """`--set component.name=VALUE` for one component, `--set name=VALUE` for every target
    component that declares `name`. An invalid item is refused without echoing its value.
    The implicit component of a single stack takes every `--set NAME=VALUE`."""
    if target.names == [IMPLICIT]:
        values = parse_set(items)
        return {IMPLICIT: values} if values else {}
    per: dict[str, dict[str, str]] = {}
    for position, item in enumerate(items, start=1):
        key, sep, value = item.partition("=")
        key = key.strip()
        component, dot, variable = key.rpartition(".")
        if not sep or not variable or not variable.replace("_", "a").replace("-", "a").isalnum():
            raise UsageError(
                f"invalid --set item #{position} (its text is not shown: it may be a secret)",
                hint="use --set NAME=VALUE or --set COMPONENT.NAME=VALUE",
            )
        if dot:
            if component not in target.targets:
                raise UsageError(
                    f"--set {key}: '{component}' is not a component of this run",
                    hint=f"components: {', '.join(target.targets)}",
                )
            per.setdefault(component, {})[variable] = value
            continue
        takers = [n for n in target.targets if variable in _declared(target, n)]
        if not takers:
            raise UsageError(
                f"--set {variable}: no component of this run declares variable '{variable}'",
                hint="use --set COMPONENT.NAME=VALUE",
            )
        for name in takers:
            per.setdefault(name, {})[variable] = value
    return per


def _declared(target: GraphTarget, name: str) -> set[str]:
    return set(component_workspace(target, name).stack.variables)


def describe(components: Components, names: list[str]) -> str:
    return ", ".join(n for n in components.names if n in set(names))


def one_component(project: Project, env: Environment, name: str) -> Environment:
    """The environment of one of ``env``'s components (`tf ENV -c COMPONENT`)."""
    from envman.graph.environment import component_environment

    components, names = environment_graph(project, env)
    if name not in names:
        raise UsageError(
            f"-c {name}: environment '{env.name}' has no component '{name}'",
            hint=f"its components: {', '.join(names)}",
        )
    return component_environment(project, env, components.specs[name])
