"""Static checks of promotion settings, for `envman validate` (each with file:line).

A configuration that can never promote is found before anyone tries: a promotion source that
is not an environment, a `require_verified` source without a verify block (nothing could ever
verify it), a mapping to an output the source's stack does not declare or to a variable the
target's stack does not declare, `promotion_only` without a promotion block, and
`release_variables` the stack does not declare.
"""

from __future__ import annotations

from pathlib import Path

from envman.config.hclfile import HclDocument, load_hcl
from envman.config.paths import CONFIG_CACHE
from envman.config.project import Environment, Project
from envman.config.stack import StackInfo
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


def promotion_problems(project: Project, env: Environment, stack: StackInfo) -> list[str]:
    where = _Where(project, env)
    problems = [
        f"{where('release_variables')}: release variable '{name}' is not declared by the "
        f"stack {env.stack_dir}"
        for name in env.config.release_variables
        if name not in stack.variables
    ]
    promotion = env.config.promotion
    if promotion is None:
        if env.config.protection.promotion_only:
            problems.append(
                f"{where('protection', 'promotion_only')}: protection.promotion_only needs a "
                "promotion block (promotion { from = ... variables = { ... } })"
            )
        return problems
    for variable in sorted(promotion.variables):
        if variable not in stack.variables:
            problems.append(
                f"{where('promotion', 'variables', variable)}: promotion variable '{variable}' "
                f"is not declared by the stack {env.stack_dir}"
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
    return problems + _source_problems(project, env, where)


def _source_problems(project: Project, env: Environment, where: _Where) -> list[str]:
    promotion = env.config.promotion
    assert promotion is not None
    try:
        source = project.environment(promotion.source)
        outputs = Workspace(project, source).stack.outputs
    except EnvmanError as exc:
        return [f"{where('promotion', 'from')}: promotion source '{promotion.source}': {exc}"]
    problems = []
    if promotion.require_verified and source.config.verify is None:
        problems.append(
            f"{where('promotion', 'require_verified')}: promotion.require_verified needs "
            f"verification of '{source.name}', but {_rel(source.config_path, project.root)} "
            "has no verify block: nothing could ever verify a release to promote (add "
            "verify { ... } there, or set require_verified = false)"
        )
    for variable, output in sorted(promotion.variables.items()):
        if output not in outputs:
            declared = ", ".join(sorted(outputs)) or "none"
            problems.append(
                f"{where('promotion', 'variables', variable)}: promotion variable '{variable}' "
                f"maps to output '{output}', which the stack of '{source.name}' "
                f"({source.stack_dir}) does not declare (its outputs: {declared})"
            )
    return problems


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
