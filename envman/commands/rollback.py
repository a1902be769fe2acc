"""envman rollback ENV [--to SEQ]: re-apply an earlier release's inputs."""

from __future__ import annotations

from envman.commands import AppContext, emit_json
from envman.commands.requests import RollbackRequest
from envman.commands.results import deploy_document
from envman.errors import EXIT_OK
from envman.protect.windows import check_windows
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Kind
from envman.releases.rollback import RollbackOptions, deploy_rollback, plan_rollback
from envman.releases.rollback_view import show_rollback
from envman.runs.session import console_say, locked_operation
from envman.timeutil import now
from envman.workspace import Workspace


def run_rollback(ctx: AppContext, request: RollbackRequest) -> int:
    if ctx.project.settings.component:  # an environment of several components
        from envman.commands.components import run_graph_rollback

        return run_graph_rollback(ctx, request)
    project = ctx.project
    name, dry_run = request.environment, request.dry_run
    env = project.environment(name)
    console = ctx.console(json_mode=request.as_json)
    if not dry_run:
        check_windows(env, "rollback", now(), None)
    store = store_for(env)
    workspace = Workspace(project, env)
    options = RollbackOptions(
        to_seq=request.to_seq,
        confirm=request.confirm,
        dry_run=dry_run,
        allow_destroy=request.allow_destroy,
    )
    with locked_operation(workspace, store, "rollback", console_say(console)):
        ledger = Ledger(store, env.name)
        plan = plan_rollback(workspace, ledger, options)
        show_rollback(console, plan)
        if dry_run:
            console.print("Dry run: nothing changed.")
            result = None
        else:
            result = deploy_rollback(ledger, plan, options, console)
    if request.as_json:
        emit_json(deploy_document(name, Kind.ROLLBACK, result, dry_run=dry_run))
    if result is None or result.release is None:
        return EXIT_OK
    return result.exit_code
