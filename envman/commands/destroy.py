"""envman destroy ENV: plan a destroy, show it, type the name, destroy, record kind destroy."""

from __future__ import annotations

from dataclasses import replace

from envman.commands import AppContext
from envman.errors import EXIT_OK
from envman.operate.destroy import DestroyOptions, destroy_environment, destroy_rules
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.runs.session import console_say, locked_operation
from envman.say import say_on_stderr
from envman.timeutil import now
from envman.workspace import Workspace


def run_destroy(ctx: AppContext, name: str, options: DestroyOptions) -> int:
    project = ctx.project
    env = project.environment(name)
    options = replace(options, warn=options.warn or say_on_stderr)
    rules = destroy_rules(env, now(), options)  # refusals before anything runs
    store = store_for(env)
    workspace = Workspace(project, env)
    console = ctx.console()
    with locked_operation(workspace, store, "destroy", console_say(console)):
        result = destroy_environment(workspace, Ledger(store, env.name), options, rules, console)
    return EXIT_OK if result is None else result.exit_code
