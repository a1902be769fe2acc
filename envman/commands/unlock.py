"""envman unlock ENV LOCK_ID --confirm ENV: release a stale lock."""

from __future__ import annotations

from envman.commands import AppContext
from envman.errors import EXIT_OK, ProtectionRefused, UsageError
from envman.releases.locate import store_for
from envman.releases.oplock import force_release
from envman.workspace import Workspace


def run_unlock(
    ctx: AppContext, name: str, lock_id: str, confirm: str | None, component: str | None = None
) -> int:
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
    if component is not None:
        from envman.graph.select import one_component

        env = one_component(project, env, component)
    elif project.settings.component:
        raise UsageError(
            f"'{lock_id}' is not envman's operation lock of '{name}'; a terraform state lock "
            "belongs to one component's state",
            hint=f"name it: envman unlock {name} {lock_id} -c COMPONENT --confirm {name}",
        )
    workspace = Workspace(project, env)
    workspace.ensure_init()
    workspace.terraform.run(["force-unlock", "-force", lock_id], what="terraform force-unlock")
    console.print(f"Released terraform's state lock {lock_id} of '{name}'.")
    return EXIT_OK
