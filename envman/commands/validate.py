"""envman validate: static checks of configuration and inputs, before any terraform run."""

from __future__ import annotations

import os

from rich.markup import escape

from envman.commands import AppContext
from envman.config.tfvars import read_tfvars
from envman.errors import EXIT_ERROR, EXIT_OK, EnvmanError
from envman.releases.promotion_checks import StackDeclared, promotion_problems
from envman.workspace import Workspace


def validate_environment(ctx: AppContext, name: str) -> list[str]:
    """Problems of one environment, each one line (empty when it is valid)."""
    project = ctx.project
    if project.settings.component:  # docs/components.md
        from envman.graph.validate import environment_problems

        return environment_problems(project, name)
    try:
        env = project.environment(name)
        workspace = Workspace(project, env)
        stack = workspace.stack
        workspace.check_backend()
    except EnvmanError as exc:
        return [str(exc)]
    problems: list[str] = []
    given: set[str] = set()
    for path in env.var_files():
        try:
            values = read_tfvars(path)
        except EnvmanError as exc:
            problems.append(str(exc))
            continue
        for variable in values:
            if variable not in stack.variables:
                problems.append(
                    f"{path}: variable '{variable}' is not declared by the stack {env.stack_dir}"
                )
        given |= set(values)
    given |= {k[len("TF_VAR_") :] for k in os.environ if k.startswith("TF_VAR_")}
    promotion = env.config.promotion
    if promotion is not None:
        given |= set(promotion.variables)
    problems.extend(promotion_problems(project, env, StackDeclared(project)))
    for declared in sorted(stack.variables.values(), key=lambda v: v.name):
        if declared.required and declared.name not in given:
            problems.append(
                f"{env.directory / 'terraform.tfvars'}: required variable '{declared.name}' "
                f"is not given (declared in {declared.file.name})"
            )
    return problems


def run_validate(ctx: AppContext, names: list[str]) -> int:
    console = ctx.console()
    targets = names or ctx.project.environment_names()
    if not targets:
        raise EnvmanError(
            f"no environments in {ctx.project.root / 'environments'}",
            hint="add environments/<env>/environment.hcl",
        )
    failed = 0
    if ctx.project.settings.component:
        from envman.graph.validate import graph_problems

        for problem in graph_problems(ctx.project):
            failed += 1
            console.print(f"[red]✗[/red] components: {escape(problem)}", markup=True)
    for name in targets:
        problems = validate_environment(ctx, name)
        if problems:
            failed += 1
            for problem in problems:
                console.print(f"[red]✗[/red] {name}: {escape(problem)}", markup=True)
        else:
            console.print(f"[green]✓[/green] {name}")
    from envman.commands.orphan_report import orphan_warnings

    for line in orphan_warnings(ctx.project, list(names)):  # a warning: never fails validate
        console.print(f"[yellow]![/yellow] warning: {escape(line)}", markup=True)
    return EXIT_ERROR if failed else EXIT_OK
