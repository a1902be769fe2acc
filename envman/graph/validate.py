"""`envman validate` of a project with components: the graph, then each environment's
components (their backend, tfvars and required variables), before any terraform run."""

from __future__ import annotations

import os

from envman.config.paths import FACTS_CACHE
from envman.config.project import Environment, Project
from envman.config.stack import read_stack
from envman.config.tfvars import read_tfvars
from envman.errors import EnvmanError
from envman.graph.config import Components, check_components
from envman.graph.environment import component_environment, environment_components
from envman.releases.promotion_checks import promotion_problems
from envman.workspace import Workspace


def graph_problems(project: Project) -> list[str]:
    """Problems of the component blocks themselves (each names envman.hcl and a line)."""
    try:
        _, problems = check_components(project)
    except EnvmanError as exc:
        return [str(exc)]
    return [str(p) for p in problems]


def environment_problems(project: Project, name: str) -> list[str]:
    """Problems of one environment's components, each one line."""
    try:
        components, problems = check_components(project)
        if problems:
            return []  # reported once, for the project
        env = project.environment(name)
        names = environment_components(project, env, components)
    except EnvmanError as exc:
        return [str(exc)]
    found: list[str] = []
    for component in names:
        found.extend(_component_problems(project, name, components, component))
    found.extend(promotion_problems(project, env, ComponentsDeclared(project, components)))
    return found


class ComponentsDeclared:
    """An environment of components: `component.name`, declared by that component's stack (a
    bare name is refused: it could mean several components)."""

    def __init__(self, project: Project, components: Components) -> None:
        self.project = project
        self.components = components

    def variable(self, env: Environment, ref: str) -> str | None:
        return self._check(env, ref, "variable")

    def output(self, env: Environment, ref: str) -> str | None:
        return self._check(env, ref, "output")

    def release_variable(self, env: Environment, ref: str) -> str | None:
        """`component.name`, or a bare name: every component that declares it carries it."""
        if "." in ref:
            return self._check(env, ref, "variable")
        names = environment_components(self.project, env, self.components)
        cache = self.project.state_root / FACTS_CACHE
        for name in names:
            if ref in read_stack(self.components.specs[name].stack_dir, cache).variables:
                return None
        return f"is not declared by any component of '{env.name}' ({', '.join(names)})"

    def _check(self, env: Environment, ref: str, role: str) -> str | None:
        component, dot, item = ref.partition(".")
        if not dot or component not in self.components.specs:
            return f"must name '<component>.<{role}>' of a component of '{env.name}'"
        if component not in environment_components(self.project, env, self.components):
            return f"names component '{component}', which '{env.name}' does not take"
        stack = read_stack(
            self.components.specs[component].stack_dir, self.project.state_root / FACTS_CACHE
        )
        declared = stack.variables if role == "variable" else stack.outputs
        if item in declared:
            return None
        missing = f"component '{component}' declares no {role} '{item}'"
        return missing if role == "output" else f"is not declared: {missing}"


def _component_problems(
    project: Project, name: str, components: Components, component: str
) -> list[str]:
    spec = components.specs[component]
    env = project.environment(name)
    cenv = component_environment(project, env, spec)
    try:
        workspace = Workspace(project, cenv)
        stack = workspace.stack
        workspace.check_backend()
        given = {i.variable for i in spec.inputs}
        own = env.directory / f"{component}.tfvars"
        problems: list[str] = []
        for path in cenv.var_files():
            values = read_tfvars(path)
            given |= set(values)
            if path == own:
                problems.extend(
                    f"{path}: variable '{v}' is not declared by the stack {spec.stack_dir}"
                    for v in values
                    if v not in stack.variables
                )
    except EnvmanError as exc:
        return [f"{component}: {exc}"]
    given |= {k[len("TF_VAR_") :] for k in os.environ if k.startswith("TF_VAR_")}
    if env.config.promotion is not None:
        given |= {v.partition(".")[2] for v in env.config.promotion.variables if "." in v}
    for declared in sorted(stack.variables.values(), key=lambda v: v.name):
        if declared.required and declared.name not in given:
            problems.append(
                f"{own}: required variable '{declared.name}' of component '{component}' "
                f"is not given (declared in {declared.file.name})"
            )
    return problems
