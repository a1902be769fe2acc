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
    found.extend(_promotion_problems(project, env, components, names))
    return found


def _promotion_problems(
    project: Project, env: Environment, components: Components, names: list[str]
) -> list[str]:
    """promotion.variables name `component.variable` = `component.output` (section 10)."""
    promotion = env.config.promotion
    if promotion is None:
        return []
    problems = []
    where = f"{env.config_path}: promotion.variables"
    for target, source in promotion.variables.items():
        for ref, role in ((target, "variable"), (source, "output")):
            component, dot, item = ref.partition(".")
            if not dot or component not in components.specs:
                problems.append(f"{where}: '{ref}' must name '<component>.<{role}>'")
                continue
            if role == "variable" and component not in names:
                problems.append(f"{where}: '{env.name}' does not take component '{component}'")
                continue
            stack = read_stack(
                components.specs[component].stack_dir, project.state_root / FACTS_CACHE
            )
            declared = stack.variables if role == "variable" else stack.outputs
            if item not in declared:
                problems.append(f"{where}: component '{component}' declares no {role} '{item}'")
    return problems


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
