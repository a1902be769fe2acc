"""envman rollback ENV [--to SEQ]: re-apply an earlier release's inputs."""

from __future__ import annotations

from envman.commands import AppContext, emit_json
from envman.commands.results import deploy_document
from envman.errors import EXIT_OK
from envman.protect.confirm import ConfirmOptions
from envman.protect.windows import check_windows
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Kind
from envman.releases.rollback import rollback_environment
from envman.runs.session import console_say, locked_operation
from envman.timeutil import now
from envman.workspace import Workspace


def run_rollback(
    ctx: AppContext,
    name: str,
    to_seq: int | None,
    dry_run: bool,
    confirm: ConfirmOptions,
    allow_destroy: tuple[str, ...] = (),
    as_json: bool = False,
) -> int:
    project = ctx.project
    env = project.environment(name)
    console = ctx.console(json_mode=as_json)
    if not dry_run:
        check_windows(env, "rollback", now(), None)
    store = store_for(env)
    workspace = Workspace(project, env)
    with locked_operation(workspace, store, "rollback", console_say(console)):
        result = rollback_environment(
            workspace,
            Ledger(store, env.name),
            to_seq=to_seq,
            console=console,
            confirm=confirm,
            dry_run=dry_run,
            allow_destroy=allow_destroy,
        )
    if as_json:
        emit_json(deploy_document(name, Kind.ROLLBACK, result, dry_run=dry_run))
    if result is None or result.release is None:
        return EXIT_OK
    return result.exit_code
