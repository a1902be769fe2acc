"""Static checks of promotion settings, for `envman validate` (each with file:line).

A configuration that can never promote is found before anyone tries: a promotion source that
is not an environment, a `require_verified` source without a verify block (nothing could ever
verify it), a mapping to an output the source's stack does not declare or to a variable the
target's stack does not declare, `promotion_only` without a promotion block, and
`release_variables` the stack does not declare.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from envman.config.hclfile import HclDocument, load_hcl
from envman.config.paths import CONFIG_CACHE
from envman.config.project import Environment, Project
from envman.errors import EnvmanError
from envman.workspace import Workspace


class _Where:
    """file:line of a key of the environment's settings (envman.hcl when inherited)."""

    def __init__(self, project: Project, env: Environment) -> None:
        self.docs: list[HclDocument] = []
        paths = [env.config_path]
        if project.settings_path is not None:
            paths.append(project.settings_path)
        for path in paths:
            try:
                self.docs.append(load_hcl(path, cache_dir=project.state_root / CONFIG_CACHE))
            except EnvmanError:
                continue

    def __call__(self, *keys: str) -> str:
        for doc in self.docs:
            if keys[0] in doc.data:
                line = doc.line_of(keys)
                return f"{doc.path}:{line}" if line else str(doc.path)
        return str(self.docs[0].path) if self.docs else "?"


class Declared(Protocol):
    """Where an environment's names live: `name` in a single stack, `component.name` in an
    environment of components. Each method returns a problem (text), or None when declared."""

    def variable(self, env: Environment, ref: str) -> str | None: ...

    def output(self, env: Environment, ref: str) -> str | None: ...

    def release_variable(self, env: Environment, ref: str) -> str | None: ...


class StackDeclared:
    """A single stack: bare names, declared by the environment's own stack."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def variable(self, env: Environment, ref: str) -> str | None:
        stack = Workspace(self.project, env).stack
        return None if ref in stack.variables else f"is not declared by the stack {env.stack_dir}"

    def release_variable(self, env: Environment, ref: str) -> str | None:
        return self.variable(env, ref)

    def output(self, env: Environment, ref: str) -> str | None:
        outputs = Workspace(self.project, env).stack.outputs
        if ref in outputs:
            return None
        declared = ", ".join(sorted(outputs)) or "none"
        return (
            f"the stack of '{env.name}' ({env.stack_dir}) does not declare "
            f"(its outputs: {declared})"
        )


def promotion_problems(project: Project, env: Environment, declared: Declared) -> list[str]:
    where = _Where(project, env)
    problems = []
    for name in env.config.release_variables:
        problem = declared.release_variable(env, name)
        if problem:
            problems.append(
                f"{where('release_variables')}: release variable '{name}' {problem}; "
                "declare it, or remove it from release_variables"
            )
    promotion = env.config.promotion
    if promotion is None:
        if env.config.protection.promotion_only:
            problems.append(
                f"{where('protection', 'promotion_only')}: protection.promotion_only needs a "
                "promotion block (promotion { from = ... variables = { ... } })"
            )
        return problems
    for variable in sorted(promotion.variables):
        problem = declared.variable(env, variable)
        if problem:
            problems.append(
                f"{where('promotion', 'variables', variable)}: promotion variable '{variable}' "
                f"{problem}"
            )
    if promotion.source not in project.environment_names():
        problems.append(
            f"{where('promotion', 'from')}: promotion source '{promotion.source}' is not an "
            "environment"
        )
        return problems
    if promotion.source == env.name:
        problems.append(f"{where('promotion', 'from')}: an environment cannot promote from itself")
        return problems
    return problems + _source_problems(project, env, where, declared)


def _source_problems(
    project: Project, env: Environment, where: _Where, declared: Declared
) -> list[str]:
    promotion = env.config.promotion
    assert promotion is not None
    problems = []
    try:
        source = project.environment(promotion.source)
        for variable, output in sorted(promotion.variables.items()):
            problem = declared.output(source, output)
            if problem:
                problems.append(
                    f"{where('promotion', 'variables', variable)}: promotion variable "
                    f"'{variable}' maps to output '{output}', which {problem}"
                )
    except EnvmanError as exc:
        return [f"{where('promotion', 'from')}: promotion source '{promotion.source}': {exc}"]
    if promotion.require_verified and source.config.verify is None:
        problems.insert(
            0,
            f"{where('promotion', 'require_verified')}: promotion.require_verified needs "
            f"verification of '{source.name}', but {_rel(source.config_path, project.root)} "
            "has no verify block: nothing could ever verify a release to promote (add "
            "verify { ... } there, or set require_verified = false)",
        )
    return problems


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
