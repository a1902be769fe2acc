"""The stacks of an environment for the one drift check (``envman.flow.drift``): one plan per
component, each with its pins and its upstreams' state outputs (findings name their
component); a single stack is its own one stack."""

from __future__ import annotations

from typing import Any

from envman.errors import EnvmanError, Interrupted
from envman.flow.drift import Stack
from envman.graph.plan import GraphTarget, component_workspace
from envman.graph.select import graph_target
from envman.releases.chain import component_pins
from envman.releases.ledger import Ledger
from envman.terraform.state_direct import current_outputs
from envman.workspace import Workspace


def graph_stacks(workspace: Workspace, ledger: Ledger) -> list[Stack]:
    """Each component of the environment, in graph order, with its pins (the release chain)
    and the upstream outputs it reads; one whose upstream output is missing carries that as
    its problem (the others are still checked)."""
    target = graph_target(workspace.project, workspace.env)
    if target.implicit:  # a single stack: its own folder, fingerprints and baseline as ever
        return [Stack(workspace)]
    stacks = []
    for name in target.names:
        pins = component_pins(ledger, name)
        own = component_workspace(target, name)
        try:
            stacks.append(Stack(own, name, pins, _wired(target, name)))
        except EnvmanError as exc:
            if isinstance(exc, Interrupted):
                raise
            stacks.append(Stack(own, name, pins, problem=exc))
    return stacks


def _wired(target: GraphTarget, name: str) -> dict[str, Any]:
    wired: dict[str, Any] = {}
    for item in target.components.specs[name].inputs:
        value = current_outputs(component_workspace(target, item.upstream)).get(item.output)
        if value is None:
            raise EnvmanError(
                f"component '{item.upstream}' of '{target.env.name}' has no output "
                f"'{item.output}' in its state; drift of '{name}' cannot be checked",
                hint=f"apply it: envman apply {target.env.name}",
            )
        wired[item.variable] = value.value
    return wired
