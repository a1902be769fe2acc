"""The `component` blocks of envman.hcl, checked: stacks, references, cycles (docs/components.md).

Every problem is a ConfigError naming envman.hcl and the line of the offending key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from envman.config.hclfile import HclDocument, load_hcl
from envman.config.models import Component
from envman.config.paths import CONFIG_CACHE, FACTS_CACHE
from envman.config.project import Project
from envman.config.stack import read_stack
from envman.errors import ConfigError
from envman.graph.model import find_cycle
from envman.synth.app import is_cdk_app


@dataclass(frozen=True)
class Input:
    """variable of the component's stack = output of an upstream component."""

    variable: str
    upstream: str
    output: str


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    stack_dir: Path
    inputs: tuple[Input, ...] = ()
    depends_on: tuple[str, ...] = ()

    @property
    def upstreams(self) -> tuple[str, ...]:
        """The components named by inputs or depends_on, sorted."""
        return tuple(sorted({i.upstream for i in self.inputs} | set(self.depends_on)))


@dataclass(frozen=True)
class Components:
    """The project's components in declaration order, and the file that declares them."""

    specs: dict[str, ComponentSpec]
    path: Path

    @property
    def names(self) -> list[str]:
        return list(self.specs)

    def edges(self) -> dict[str, tuple[str, ...]]:
        """component -> its upstreams."""
        return {name: spec.upstreams for name, spec in self.specs.items()}


def has_components(project: Project) -> bool:
    return bool(project.settings.component)


def load_components(project: Project) -> Components:
    """The checked components of the project; the first problem is raised."""
    components, problems = check_components(project)
    if problems:
        raise problems[0]
    return components


def check_components(project: Project) -> tuple[Components, list[ConfigError]]:
    """The components and every problem found in them (for `envman validate`)."""
    path = project.settings_path or project.root / "envman.hcl"
    doc = load_hcl(path, cache_dir=project.state_root / CONFIG_CACHE)
    specs: dict[str, ComponentSpec] = {}
    problems: list[ConfigError] = []
    for block in project.settings.component:
        if block.name in specs:
            problems.append(
                _error(doc, (block.name,), f"component '{block.name}' is declared twice")
            )
            continue
        specs[block.name] = _spec(project, block)
    components = Components(specs, path)
    for spec in specs.values():
        problems.extend(_stack_problems(doc, spec))
        problems.extend(_reference_problems(doc, components, spec, project))
    if not any("unknown component" in p.message for p in problems):
        cycle = find_cycle(components.edges())
        if cycle:
            flow = cycle[::-1]  # upstream → downstream, as `envman graph` draws edges
            start = flow.index(cycle[0])
            flow = flow[start:] + flow[:start]
            spelled = " → ".join([*flow, flow[0]])
            problems.append(
                _error(
                    doc,
                    (cycle[0],),
                    f"components form a cycle: {spelled}",
                    "remove one of these inputs or depends_on",
                )
            )
    return components, problems


def _spec(project: Project, block: Component) -> ComponentSpec:
    inputs = []
    for variable, ref in block.inputs.items():
        upstream, _, output = ref.partition(".")
        inputs.append(Input(variable, upstream, output))
    return ComponentSpec(
        name=block.name,
        stack_dir=(project.root / block.stack).resolve(),
        inputs=tuple(inputs),
        depends_on=tuple(block.depends_on),
    )


def _stack_problems(doc: HclDocument, spec: ComponentSpec) -> list[ConfigError]:
    if spec.stack_dir.is_dir():
        return []
    return [
        _error(
            doc,
            (spec.name, "stack"),
            f"component '{spec.name}': stack folder {spec.stack_dir} does not exist",
            "set 'stack' to the folder of its root module, relative to the project root",
        )
    ]


def _reference_problems(
    doc: HclDocument, components: Components, spec: ComponentSpec, project: Project
) -> list[ConfigError]:
    problems: list[ConfigError] = []
    known = components.specs
    names = ", ".join(known)
    for upstream in spec.depends_on:
        if upstream not in known:
            message = f"component '{spec.name}': depends_on names unknown component '{upstream}'"
            problems.append(_error(doc, (spec.name, "depends_on"), message, f"components: {names}"))
    cache = project.state_root / FACTS_CACHE
    own = _declared(spec.stack_dir, cache)
    for item in spec.inputs:
        keys = (spec.name, "inputs", item.variable)
        where = f"component '{spec.name}': input {item.variable}"
        if item.upstream not in known:
            message = f"{where} names unknown component '{item.upstream}'"
            problems.append(_error(doc, keys, message, f"components: {names}"))
            continue
        if own is not None and item.variable not in own[0]:
            message = f"{where}: the stack {spec.stack_dir} declares no variable '{item.variable}'"
            problems.append(_error(doc, keys, message, "declare it in the stack's variables.tf"))
        theirs = _declared(known[item.upstream].stack_dir, cache)
        if theirs is not None and item.output not in theirs[1]:
            outputs = ", ".join(sorted(theirs[1])) or "none"
            message = (
                f"{where} names output '{item.output}' that component '{item.upstream}' "
                f"does not declare (its outputs: {outputs})"
            )
            problems.append(_error(doc, keys, message, "add the output to its stack"))
    return problems


def _declared(stack_dir: Path, cache: Path) -> tuple[set[str], set[str]] | None:
    """The variables and outputs a stack declares (None: not readable statically)."""
    if not stack_dir.is_dir() or is_cdk_app(stack_dir):
        return None
    stack = read_stack(stack_dir, cache)
    return set(stack.variables), set(stack.outputs)


def _error(
    doc: HclDocument, keys: tuple[str, ...], message: str, hint: str | None = None
) -> ConfigError:
    return ConfigError(
        message, path=str(doc.path), line=doc.line_of(("component", *keys)), hint=hint
    )
