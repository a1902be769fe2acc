"""Planning the components of one environment over the graph (docs/components.md).

Each component is planned with its upstreams' current state outputs. A component whose
upstream has no state yet, whose consumed outputs the upstream's plan changes, or whose
upstream is itself deferred is not planned: it waits ("planned after <upstream> applies").
It is never planned with mock values.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from envman.config.paths import STATE_DIR
from envman.config.project import Environment, Project
from envman.errors import UsageError
from envman.graph.config import Components
from envman.graph.environment import component_environment
from envman.graph.lazyoutputs import StateOutputs
from envman.graph.model import upstream_closure
from envman.graph.walk import walk
from envman.input_values import Source
from envman.inputs import InputOptions
from envman.planning import PlanInputs, PlannedRun, plan_environment
from envman.releases.chain import Pins, running_entry
from envman.releases.ledger import Ledger
from envman.releases.models import IMPLICIT
from envman.runs.folder import Run
from envman.secrets.redactor import remember
from envman.secrets.sources import remember_environment_inputs
from envman.terraform.cliconfig import ensure_cli_config
from envman.terraform.models import OutputValue, changes_nothing
from envman.terraform.progress import Progress
from envman.terraform.state_direct import current_outputs
from envman.workspace import Workspace


@dataclass(frozen=True)
class GraphTarget:
    """What one graph run covers: the environment, its components, the ones planned."""

    project: Project
    env: Environment
    components: Components
    names: list[str]  # every component the environment takes, in graph order
    targets: list[str]  # the components this run plans (and applies)
    sets: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # component -> --set
    parallel: int = 2
    # promoted or rolled-back values: component -> variable -> value, and what they are
    typed: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    override_source: Source = Source.SET
    pin: Mapping[str, frozenset[str]] = field(default_factory=dict)  # component -> --pin
    unpin: Mapping[str, frozenset[str]] = field(default_factory=dict)  # component -> --unpin
    # targets planned only when an upstream of this run changes an output they consume or
    # waits (the dependents of a promotion or rollback): otherwise their inputs stay the same
    follow: frozenset[str] = frozenset()
    origin: str | None = None  # where promoted or restored values come from ("staging#4")

    @property
    def implicit(self) -> bool:
        """A single-stack environment: the graph of its one implicit component."""
        return self.names == [IMPLICIT]


@dataclass
class ComponentRun:
    name: str
    workspace: Workspace
    planned: PlannedRun | None = None
    waits_for: tuple[str, ...] = ()  # deferred until these upstreams applied
    outputs: Mapping[str, OutputValue] = field(default_factory=dict)  # current state outputs
    wired: dict[str, str] = field(default_factory=dict)  # variable -> "upstream.output"
    used: dict[str, Any] = field(default_factory=dict)  # variable -> the value it was planned with

    @property
    def changed_outputs(self) -> set[str]:
        if self.planned is None:
            return set()
        actions = self.planned.streamed.output_actions
        return {n for n, action in actions.items() if not changes_nothing(action)}


def component_workspace(target: GraphTarget, name: str) -> Workspace:
    spec = target.components.specs[name]
    return Workspace(target.project, component_environment(target.project, target.env, spec))


def shared_config(target: GraphTarget) -> None:
    """Write the CLI config every component's terraform shares before threads start (its
    writers would race on one temporary file)."""
    ensure_cli_config(target.project.state_root, target.project.provider_mirror())


def carried_for(target: GraphTarget, name: str) -> frozenset[str]:
    """Release-carried variables of one component: `component.name` (or bare) entries of
    release_variables and of every environment's promotion.variables."""
    names: list[str] = list(target.env.config.release_variables)
    for env in target.project.environments():
        if env.config.promotion is not None:
            names.extend(env.config.promotion.variables)
    carried = set()
    for entry in names:
        component, dot, variable = entry.partition(".")
        if not dot:
            carried.add(entry)
        elif component == name:
            carried.add(variable)
    return frozenset(carried)


def plan_graph(
    target: GraphTarget, ledger: Ledger | None, kind: str = "plan"
) -> dict[str, ComponentRun]:
    """Plan every target component whose upstream values are known; the rest wait."""
    edges = target.components.edges()
    runs: dict[str, ComponentRun] = {}
    outside: dict[str, dict[str, OutputValue]] = {}
    shared_config(target)
    for name in target.targets:  # a backend the stack does not declare: said before any read
        component_workspace(target, name).check_backend()

    def step(name: str) -> ComponentRun | None:
        if name in target.follow and not inputs_move(target, runs, name):
            return None  # read from its state by its own dependents, like an outside upstream
        run = plan_component(target, ledger, name, Upstreams(runs, outside))
        runs[name] = run
        return run

    read_secret_sources(target, outside)
    result = walk(edges, target.targets, step, target.parallel)
    if result.failed:
        raise next(iter(result.failed.values()))
    return {n: runs[n] for n in target.targets if n in runs}


def remember_component_inputs(target: GraphTarget) -> None:
    """The sensitive values every component's stack is given (var files, TF_VAR_), whether or
    not this run plans it: hooks and policies run for the whole environment and must never be
    handed one (a `-c app` run still hides `TF_VAR_` of data's sensitive variables)."""
    for name in target.names:
        remember_environment_inputs(component_workspace(target, name).env)


def data_upstreams(target: GraphTarget, names: list[str]) -> list[str]:
    """The components whose outputs flow into ``names`` through inputs, at any depth, in
    graph order (``names`` excluded): where a secret they carry may come from."""
    edges = {n: tuple(i.upstream for i in s.inputs) for n, s in target.components.specs.items()}
    above = upstream_closure(edges, names) - set(names)
    return [n for n in target.names if n in above]


def read_secret_sources(target: GraphTarget, outside: dict[str, dict[str, OutputValue]]) -> None:
    """Read the state outputs of every component whose outputs reach the targets (their
    sensitive values are remembered on read), before any output of a target is read: an output
    built from a wired secret is then known to carry it, however many components lie between."""
    missing = [n for n in data_upstreams(target, target.targets) if n not in outside]
    workers = max(1, min(target.parallel, len(missing)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        read = pool.map(lambda name: _state_outputs(target, name), missing)
        outside.update(zip(missing, read, strict=True))


def inputs_move(target: GraphTarget, runs: Mapping[str, ComponentRun], name: str) -> bool:
    """An upstream planned in this run waits or changes an output ``name`` consumes."""
    for item in target.components.specs[name].inputs:
        run = runs.get(item.upstream)
        if run is not None and (run.waits_for or item.output in run.changed_outputs):
            return True
    return False


@dataclass
class Upstreams:
    runs: dict[str, ComponentRun]  # planned in this run
    outside: dict[str, dict[str, OutputValue]]  # read only (-c): their state outputs


def plan_component(
    target: GraphTarget,
    ledger: Ledger | None,
    name: str,
    upstreams: Upstreams,
    run: Run | None = None,
) -> ComponentRun:
    workspace = component_workspace(target, name)
    spec = target.components.specs[name]
    waits: set[str] = set()
    wired: dict[str, Any] = {}
    secret: set[str] = set()
    _read_outside(target, upstreams, {item.upstream for item in spec.inputs})
    for item in spec.inputs:
        value = _upstream_value(target, upstreams, item.upstream, item.output)
        if value is None:
            waits.add(item.upstream)
            continue
        wired[item.variable] = value.value
        if value.sensitive:
            remember(value.value)
            secret.add(item.variable)
    refs = {i.variable: f"{i.upstream}.{i.output}" for i in spec.inputs}
    if waits:
        return ComponentRun(name, workspace, waits_for=tuple(sorted(waits)), wired=refs)
    restored = name in target.typed
    options = InputOptions(
        carried=carried_for(target, name),
        root=target.project.root,
        override_source=target.override_source if restored else Source.SET,
        override_origin=target.origin if restored else None,
        pin=target.pin.get(name, frozenset()),
        unpin=target.unpin.get(name, frozenset()),
    )
    given = PlanInputs(
        overrides=dict(target.sets.get(name, {})),
        typed_overrides={**target.typed.get(name, {}), **wired},
        pins=pins_of(target, ledger, name),
        options=options,
    )
    progress = Progress(target.env.name, "Planning") if len(target.targets) == 1 else None
    with progress or contextlib.nullcontext():
        planned = plan_environment(
            workspace, given, on_event=progress, run=run or workspace.new_run("plan")
        )
    _mark_wired(planned, refs, secret)
    return ComponentRun(
        name,
        workspace,
        planned=planned,
        outputs=StateOutputs(workspace),  # read only if a dependent needs them
        wired=refs,
        used=wired,
    )


def pins_of(target: GraphTarget, ledger: Ledger | None, name: str) -> Pins:
    """The component's pins: its inputs in the current release chain. A record written before
    releases kept every value pinned every --set: of those, only release-carried ones stay."""
    found = running_entry(ledger, name)
    if found is None:
        return Pins({}, None)
    inputs = dict(found.entry.inputs)
    if found.entry.values is None:
        carried = carried_for(target, name)
        inputs = {k: v for k, v in inputs.items() if k in carried}
    return Pins(inputs, found.seq)


def _upstream_value(
    target: GraphTarget, upstreams: Upstreams, upstream: str, output: str
) -> OutputValue | None:
    """The upstream output's current value, or None when the consumer must wait for it."""
    run = upstreams.runs.get(upstream)
    if run is not None:
        if run.waits_for or output in run.changed_outputs:
            return None
        outputs = run.outputs
    else:
        if upstream not in upstreams.outside:
            upstreams.outside[upstream] = _state_outputs(target, upstream)
        outputs = upstreams.outside[upstream]
    value = outputs.get(output)
    if value is None:
        raise UsageError(
            f"component '{upstream}' of '{target.env.name}' has no output '{output}' in its "
            "state (not applied yet, or its value is null: terraform keeps no null output)",
            hint=f"apply it first (envman apply {target.env.name} -c {upstream}), or make the "
            'output a value such as "" when it has none',
        )
    return value


def _state_outputs(target: GraphTarget, name: str) -> dict[str, OutputValue]:
    return current_outputs(component_workspace(target, name))


def _read_outside(target: GraphTarget, upstreams: Upstreams, names: set[str]) -> None:
    """Read the state outputs of the upstreams not planned in this run at once (a terraform
    process each: app's network and data together, not one after the other)."""
    missing = sorted(names - set(upstreams.runs) - set(upstreams.outside))
    if len(missing) < 2 or target.parallel < 2:
        return
    with ThreadPoolExecutor(max_workers=target.parallel) as pool:
        read = pool.map(lambda name: _state_outputs(target, name), missing)
        upstreams.outside.update(zip(missing, read, strict=True))


def _mark_wired(planned: PlannedRun, refs: Mapping[str, str], secret: set[str]) -> None:
    """The values of wired variables say where they came from; secret ones stay hidden;
    values from a filtered copy of a shared tfvars name the environment's file."""
    env = planned.workspace.env
    copies = f"{STATE_DIR}/"
    for entry in planned.inputs.values.values():
        file = entry.get("file")
        if isinstance(file, str) and file.startswith(copies) and "/tfvars/" in file:
            original = env.directory / file.rsplit("/", 1)[-1].removesuffix(".json")
            entry["file"] = str(original.relative_to(env.project_root))
    carry = planned.inputs.carry
    for variable, ref in refs.items():
        if carry is not None:
            carry.pop(variable, None)  # read from the upstream's state every run: never pinned
        wired = planned.inputs.values.get(variable)
        if wired is None:
            continue
        if variable in secret:
            planned.inputs.values[variable] = {"sensitive": True, "source": "component"}
        else:
            wired["source"] = "component"
        planned.inputs.values[variable]["from"] = ref
