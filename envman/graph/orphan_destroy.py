"""Destroying an orphaned component with the code that last applied it (docs/operations.md).

The stack, the component block and the environment's tfvars come from the recorded project
(`graph/checkout.py`: a git worktree of the release's commit); the state, the ledger, the
protection and the guard from the environment as it is now (or, for an environment whose folder
is gone, as that commit had it). Wired inputs take the values the release recorded, or the
upstream's current state output when the value was sensitive.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from envman.config.project import Environment, Project, load_project
from envman.errors import EnvmanError
from envman.graph.apply import GraphApply, apply_graph
from envman.graph.config import Components, ComponentSpec, Input
from envman.graph.orphans import Orphan, orphan_environment
from envman.graph.plan import ComponentRun, GraphTarget, component_workspace
from envman.planning import PlanInputs, plan_environment
from envman.releases.chain import Pins, ran_with, running_entry
from envman.releases.ledger import Ledger
from envman.releases.models import IMPLICIT, ComponentStatus, Release, entries_json
from envman.terraform.state_direct import current_outputs
from envman.timeutil import iso, now
from envman.workspace import Workspace


def recorded_environment(project: Project, env: Environment, old: Project) -> Environment:
    """``env`` with the tfvars folder of the recorded project; an environment whose folder is
    gone takes the recorded configuration whole (its state and ledger stay where they were)."""
    old_dir = old.root / "environments" / env.name
    if env.config_path.is_file():
        return replace(env, directory=old_dir if old_dir.is_dir() else env.directory)
    recorded = old.environment(env.name)
    return replace(recorded, project_root=project.root)


def recorded_target(
    project: Project, env: Environment, old_root: Path, orphan: Orphan
) -> GraphTarget:
    """A graph of the one orphaned component, as the recorded project declared it."""
    old = load_project(old_root)
    block = next((c for c in old.settings.component if c.name == orphan.component), None)
    if block is None:
        raise EnvmanError(
            f"commit {str(orphan.commit)[:12]} declares no component '{orphan.component}' "
            f"(release #{orphan.seq} of '{orphan.environment}' applied it)",
            hint=f"use envman forget {orphan.environment} -c {orphan.component} --reason ...",
        )
    inputs = tuple(Input(v, *ref.partition(".")[::2]) for v, ref in block.inputs.items())
    spec = ComponentSpec(
        block.name, (old.root / block.stack).resolve(), inputs, tuple(block.depends_on)
    )
    components = Components({spec.name: spec}, old.settings_path or old.root / "envman.hcl")
    target_env = recorded_environment(project, env, old)
    names = [spec.name]
    return GraphTarget(project, target_env, components, names, names, {}, 1)


def recorded_single_target(project: Project, env: Environment, old_root: Path) -> GraphTarget:
    """The graph of one implicit component of an environment whose folder is gone, as the
    recorded project had it."""
    recorded = recorded_environment(project, env, load_project(old_root))
    spec = ComponentSpec(IMPLICIT, recorded.stack_dir)
    components = Components({IMPLICIT: spec}, project.settings_path or project.root / "envman.hcl")
    return GraphTarget(project, recorded, components, [IMPLICIT], [IMPLICIT], {}, 1)


def plan_orphan_destroy(
    target: GraphTarget, ledger: Ledger, upstream_env: Environment
) -> ComponentRun:
    """The destroy plan of the target's one component, with its recorded pins and inputs."""
    name = target.targets[0]
    workspace = component_workspace(target, name)
    workspace.ensure_init()
    running = running_entry(ledger, name, any_status=True)
    recorded = ran_with(running.entry) if running is not None else {}
    wired: dict[str, Any] = {}
    for item in target.components.specs[name].inputs:
        if item.variable in recorded:
            wired[item.variable] = recorded[item.variable]
            continue
        wired[item.variable] = _upstream_value(target.project, upstream_env, name, item)
    pins = Pins(dict(running.entry.inputs), running.seq) if running is not None else Pins({}, None)
    planned = plan_environment(
        workspace,
        PlanInputs(typed_overrides=wired, pins=pins),
        destroy=True,
        run=workspace.new_run("destroy"),
    )
    return ComponentRun(name, workspace, planned=planned)


def _upstream_value(project: Project, env: Environment, name: str, item: Input) -> Any:
    workspace = Workspace(project, orphan_environment(env, item.upstream))
    value = current_outputs(workspace).get(item.output)
    if value is None:
        raise EnvmanError(
            f"cannot plan the destroy of '{name}': its input {item.variable} came from "
            f"'{item.upstream}.{item.output}', which is not recorded and not in that state",
            hint=f"use envman forget {env.name} -c {name} --reason ... and remove it by hand",
        )
    return value.value


def destroy_recorded(job: GraphApply, release: Release) -> Release:
    """Apply the destroy recorded as ``release`` (its entry becomes `destroyed`); a plan with
    nothing left to destroy is settled without running terraform, so the orphan is gone."""
    name = job.target.targets[0]
    planned = job.runs[name].planned
    changes = planned is not None and planned.streamed.summary.has_changes
    if changes or job.target.implicit:  # a single stack's record keeps schema 1
        return apply_graph(job, release, [name])
    entry = job.entries[name]
    entry.status = ComponentStatus.DESTROYED
    entry.finished_at = iso(now())
    job.ledger.update(
        release.seq,
        {"status": "applied", "finished_at": iso(now()), "components": entries_json(job.entries)},
    )
    return release
