"""envman unlock ENV LOCK_ID --confirm ENV: release a stale lock."""

from __future__ import annotations

from envman.commands import AppContext
from envman.errors import EXIT_OK, ProtectionRefused
from envman.releases.locate import store_for
from envman.releases.oplock import force_release
from envman.workspace import Workspace


def run_unlock(ctx: AppContext, name: str, lock_id: str, confirm: str | None) -> int:
    project = ctx.project
    env = project.environment(name)
    if confirm != name:
        raise ProtectionRefused(
            f"unlocking '{name}' needs --confirm {name}",
            hint="make sure no run is still going on first",
        )
    console = ctx.console()
    if force_release(store_for(env), lock_id):
        console.print(f"Released envman's operation lock {lock_id} of '{name}'.")
        return EXIT_OK
    workspace = Workspace(project, env)
    workspace.ensure_init()
    workspace.terraform.run(["force-unlock", "-force", lock_id], what="terraform force-unlock")
    console.print(f"Released terraform's state lock {lock_id} of '{name}'.")
    return EXIT_OK
