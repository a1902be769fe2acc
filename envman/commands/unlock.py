"""envman unlock ENV LOCK_ID --confirm ENV: release a stale lock."""

from __future__ import annotations

from envman.commands import AppContext
from envman.config.names import shown
from envman.errors import EXIT_OK, ProtectionRefused, UsageError
from envman.releases.locate import store_for
from envman.releases.oplock import force_release
from envman.workspace import Workspace


def run_unlock(
    ctx: AppContext, name: str, lock_id: str, confirm: str | None, component: str | None = None
) -> int:
    from envman.commands.requests import Scope
    from envman.commands.shape import single_stack

    if component is not None:  # a single-stack project: -c refused in one clear line
        single_stack(ctx, Scope((component,)))
    _check_lock_id(lock_id)
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
    workspace.terraform.run(
        ["force-unlock", "-force", "-no-color", lock_id], what="terraform force-unlock"
    )
    console.print(f"Released terraform's state lock {lock_id} of '{name}'.")
    return EXIT_OK


def _check_lock_id(lock_id: str) -> None:
    """A lock id is a value, never an option of terraform's (`-help` would print help and
    the lock would be said released)."""
    if not lock_id or lock_id.startswith("-") or not lock_id.isprintable():
        raise UsageError(
            f"'{shown(lock_id)}' is not a lock id",
            hint="copy the ID from the lock error envman printed",
        )
