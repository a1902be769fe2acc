"""Destroying components of an environment: dependents first, one release of kind destroy.

`-c COMPONENT` destroys that component and everything that depends on it (a dependent
cannot outlive the outputs it reads). Each destroy is planned with its upstreams' state
outputs — never with mock values; a component without state is left out.
"""

from __future__ import annotations

from dataclasses import replace

from envman.errors import UsageError
from envman.graph.model import downstream_closure, reverse_edges, topo_order
from envman.graph.plan import (
    ComponentRun,
    GraphTarget,
    component_workspace,
    pins_of,
    shared_config,
)
from envman.graph.walk import walk
from envman.planning import PlanInputs, plan_environment
from envman.releases.ledger import Ledger
from envman.terraform.output import read_outputs
from envman.terraform.state import read_state_info


def destroy_target(target: GraphTarget, only: list[str]) -> GraphTarget:
    """The components to destroy: all, or those named and their dependents, dependents first."""
    edges = target.components.edges()
    chosen = downstream_closure(edges, only) if only else set(target.names)
    order = topo_order(reverse_edges(edges), [n for n in target.names if n in chosen])
    return replace(target, targets=order)


def plan_graph_destroy(target: GraphTarget, ledger: Ledger) -> dict[str, ComponentRun]:
    runs: dict[str, ComponentRun] = {}
    shared_config(target)

    def step(name: str) -> ComponentRun | None:
        workspace = component_workspace(target, name)
        workspace.ensure_init()
        if read_state_info(workspace.terraform).serial is None:
            return None  # nothing in its state
        wired = {}
        for item in target.components.specs[name].inputs:
            upstream = component_workspace(target, item.upstream)
            upstream.ensure_init()
            value = read_outputs(upstream.terraform).get(item.output)
            if value is None:
                raise UsageError(
                    f"cannot plan the destroy of '{name}': component '{item.upstream}' has no "
                    f"output '{item.output}' in its state"
                )
            wired[item.variable] = value.value
        planned = plan_environment(
            workspace,
            PlanInputs(typed_overrides=wired, pins=pins_of(target, ledger, name)),
            destroy=True,
            run=workspace.new_run("destroy"),
        )
        run = ComponentRun(name, workspace, planned=planned)
        runs[name] = run
        return run

    result = walk({n: () for n in target.targets}, target.targets, step, target.parallel)
    if result.failed:
        raise next(iter(result.failed.values()))
    return {n: runs[n] for n in target.targets if n in runs}
