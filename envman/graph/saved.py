"""Saved plans of a component environment: `envman plan ENV` keeps each component's plan for
`envman apply ENV --plan`, which applies exactly those plans (refused when stale) and plans the
deferred components once their upstreams applied, as a plain apply does.

Nothing secret is kept outside the plan files: the graph's own file names the components, the
variables --set gave each (never their values) and a digest of the upstream outputs each plan
was made with.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from envman.config.stack import stack_code_digest
from envman.errors import UsageError
from envman.graph.plan import ComponentRun, GraphTarget, component_workspace, pins_of
from envman.inputs import inputs_digest
from envman.planning import save_plan_meta, saved_planned_run
from envman.releases.ledger import Ledger
from envman.runs.folder import last_plan_run
from envman.secrets.files import write_private
from envman.terraform.output import read_outputs
from envman.terraform.planfile import refuse_moved_state
from envman.workspace import Workspace

GRAPH_PLAN = "graph-plan.json"


def wired_digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def save_graph_plan(target: GraphTarget, runs: dict[str, ComponentRun]) -> None:
    for run in runs.values():
        if run.planned is not None:
            save_plan_meta(run.planned)  # the component's last-plan points at its run
    document = {
        "environment": target.env.name,
        "targets": target.targets,
        "deferred": {n: list(r.waits_for) for n, r in runs.items() if r.planned is None},
        "planned": {
            n: {"run": r.planned.run.id if r.planned.run else None, "wired": wired_digest(r.used)}
            for n, r in runs.items()
            if r.planned is not None
        },
        "set": {n: sorted(values) for n, values in target.sets.items()},
    }
    path = Workspace(target.project, target.env).prepare_folder() / GRAPH_PLAN
    write_private(path, json.dumps(document, indent=2, sort_keys=True), redacted=False)


def load_graph_plan(target: GraphTarget, ledger: Ledger) -> dict[str, ComponentRun]:
    """The saved plans as component runs (deferred ones still waiting); stale ones refused."""
    env = target.env
    path = Workspace(target.project, env).prepare_folder() / GRAPH_PLAN
    hint = f"run: envman plan {env.name}"
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError):
        raise UsageError(f"no saved plan for '{env.name}'", hint=hint) from None
    sets = document.get("set") or {}
    runs: dict[str, ComponentRun] = {}
    for name in document.get("targets") or []:
        waits = (document.get("deferred") or {}).get(name)
        if waits is not None:
            if sets.get(name):
                raise UsageError(
                    f"the saved plan of '{env.name}' sets variables of '{name}', which is "
                    "planned only after its upstreams apply; envman does not keep --set values",
                    hint=f"apply without --plan: envman apply {env.name} --set ...",
                )
            runs[name] = ComponentRun(
                name, component_workspace(target, name), waits_for=tuple(waits)
            )
            continue
        runs[name] = _load_one(
            target, ledger, name, (document.get("planned") or {}).get(name) or {}, runs
        )
    return runs


def _load_one(
    target: GraphTarget,
    ledger: Ledger,
    name: str,
    saved: dict[str, Any],
    runs: dict[str, ComponentRun],
) -> ComponentRun:
    workspace = component_workspace(target, name)
    run = last_plan_run(workspace.prepare_folder())
    env = target.env.name
    if run is None or run.id != saved.get("run") or not run.plan_file.is_file():
        raise UsageError(
            f"no saved plan of component '{name}' of '{env}'", hint=f"run: envman plan {env}"
        )
    meta = json.loads(run.meta_file.read_text())
    pins = pins_of(target, ledger, name)
    spec = target.components.specs[name]
    used: dict[str, Any] = {}
    for item in spec.inputs:
        upstream = runs.get(item.upstream)
        outputs = upstream.outputs if upstream is not None else _outputs(target, item.upstream)
        if item.output in outputs:
            used[item.variable] = outputs[item.output].value
    reasons = []
    if meta.get("plan_sha256") != _sha256(run.plan_file):
        reasons.append("the plan file changed")
    if meta.get("inputs_digest") != inputs_digest(workspace.env.var_files(), pins.inputs):
        reasons.append("its inputs changed")
    if meta.get("stack_digest") != stack_code_digest(workspace.stack_dir, workspace.facts_cache):
        reasons.append("its stack code changed")
    if meta.get("current_seq") != pins.seq:
        reasons.append("a new release applied it")
    if saved.get("wired") != wired_digest(used):
        reasons.append("an upstream output it reads changed")
    if reasons:
        raise UsageError(
            f"the saved plan of component '{name}' of '{env}' is stale: {'; '.join(reasons)}",
            hint=f"run envman plan {env} again",
        )
    refuse_moved_state(workspace, run.plan_file, f"component '{name}' of '{env}'")
    run.claim()
    planned = saved_planned_run(workspace, run, meta)
    refs = {i.variable: f"{i.upstream}.{i.output}" for i in spec.inputs}
    outputs = read_outputs(workspace.terraform)
    return ComponentRun(name, workspace, planned=planned, outputs=outputs, wired=refs, used=used)


def _outputs(target: GraphTarget, name: str) -> dict[str, Any]:
    workspace = component_workspace(target, name)
    workspace.ensure_init()
    return dict(read_outputs(workspace.terraform))


def _sha256(path: Any) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
