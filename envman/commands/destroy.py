"""envman destroy ENV: plan a destroy, show it, type the name, destroy, record kind destroy."""

from __future__ import annotations

from dataclasses import replace

from envman.commands import AppContext
from envman.display import show_plan
from envman.errors import EXIT_OK
from envman.operate.destroy import (
    DestroyOptions,
    deploy_destroy,
    destroy_rules,
    discard_destroy_plan,
    nothing_to_destroy,
    plan_destroy,
)
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.runs.session import console_say, locked_operation
from envman.say import say_on_stderr
from envman.timeutil import now
from envman.workspace import Workspace


def run_destroy(
    ctx: AppContext, name: str, options: DestroyOptions, components: tuple[str, ...] = ()
) -> int:
    from envman.commands.orphans import orphan_destroy
    from envman.commands.requests import Scope
    from envman.commands.shape import has_components, single_stack

    orphaned = orphan_destroy(ctx, name, options, components)  # docs/operations.md "Orphans"
    if orphaned is not None:
        return orphaned
    if has_components(ctx):
        from envman.commands.components_ops import run_graph_destroy

        return run_graph_destroy(ctx, name, list(components), options)
    single_stack(ctx, Scope(components))
    project = ctx.project
    env = project.environment(name)
    options = replace(options, warn=options.warn or say_on_stderr)
    rules = destroy_rules(env, now(), options)  # refusals before anything runs
    store = store_for(env)
    workspace = Workspace(project, env)
    console = ctx.console()
    with locked_operation(workspace, store, "destroy", console_say(console)):
        ledger = Ledger(store, env.name)
        plan = plan_destroy(workspace)
        try:
            console.print(f"Destroy plan for [bold]{env.name}[/bold]:")
            show_plan(console, plan.planned)
            if nothing_to_destroy(ledger, plan):
                console.print(f"Nothing to destroy: '{env.name}' has nothing in its state.")
                return EXIT_OK
            result = deploy_destroy(ledger, plan, options, rules, console)
        finally:
            discard_destroy_plan(plan)
        if result.release is not None:
            console.print(
                f"'{env.name}' is destroyed (release #{result.release.seq}); it has no current "
                f"release: `envman apply {env.name}` rebuilds it with the stack's values."
            )
    return result.exit_code
