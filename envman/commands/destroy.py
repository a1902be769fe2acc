"""envman destroy ENV: plan a destroy, show it, type the name, destroy, record kind destroy."""

from __future__ import annotations

from envman.commands import AppContext
from envman.errors import EXIT_OK
from envman.operate.destroy import DestroyOptions, destroy_environment, destroy_rules
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.oplock import acquire
from envman.releases.provenance import actor
from envman.timeutil import now
from envman.workspace import Workspace


def run_destroy(ctx: AppContext, name: str, options: DestroyOptions) -> int:
    project = ctx.project
    env = project.environment(name)
    rules = destroy_rules(env, now(), options)  # refusals before anything runs
    store = store_for(env)
    with acquire(store, "destroy", actor(), environment=env.name):
        result = destroy_environment(
            Workspace(project, env), Ledger(store, env.name), options, rules, ctx.console()
        )
    return EXIT_OK if result is None else result.exit_code
