"""`envman destroy` of an orphan: its destroy plan from the recorded project shown, the usual
rules (guard, protection, the typed name), one release of kind destroy (docs/operations.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from envman.commands import AppContext
from envman.config.project import Environment
from envman.errors import EnvmanError
from envman.graph.orphans import Orphan
from envman.graph.plan import ComponentRun, GraphTarget
from envman.operate.destroy import DestroyOptions
from envman.releases.ledger import Ledger
from envman.releases.models import IMPLICIT


def _source(orphan: Orphan) -> str:
    return f"the stack code of release #{orphan.seq} (commit {str(orphan.commit)[:12]})"


def destroy_component(
    ctx: AppContext, env: Environment, orphan: Orphan, old_root: Path, options: DestroyOptions
) -> None:
    """An orphaned component of ``env``, as the recorded commit declared it."""
    from envman.graph.orphan_destroy import plan_orphan_destroy, recorded_target

    target = recorded_target(ctx.project, env, old_root, orphan)
    what = f"orphaned component '{orphan.component}' of {env.name}"
    _destroy(
        ctx,
        target,
        (orphan, what),
        options,
        lambda ledger: plan_orphan_destroy(target, ledger, env),
    )


def destroy_single(
    ctx: AppContext, env: Environment, orphan: Orphan, old_root: Path, options: DestroyOptions
) -> None:
    """The one stack of an environment whose folder is gone, as the recorded commit had it."""
    from envman.graph.destroy import plan_graph_destroy
    from envman.graph.orphan_destroy import recorded_single_target

    target = recorded_single_target(ctx.project, env, old_root)

    def plan(ledger: Ledger) -> ComponentRun:
        run = plan_graph_destroy(target, ledger).get(IMPLICIT)
        if run is None:
            raise EnvmanError(
                f"'{env.name}' has nothing in its state to destroy",
                hint=f"envman forget {env.name} --reason '...' records that it is gone",
            )
        return run

    _destroy(ctx, target, (orphan, f"orphaned {env.name}"), options, plan)


def _destroy(
    ctx: AppContext,
    target: GraphTarget,
    orphan: tuple[Orphan, str],
    options: DestroyOptions,
    plan: Callable[[Ledger], ComponentRun],
) -> None:
    """An orphan through the one destroy flow: planned with the recorded code, its one
    component recorded (a plan with nothing left is settled without terraform)."""
    from envman.commands.components_ops import Destroy, destroy_graph
    from envman.graph.orphan_destroy import destroy_recorded

    found, what = orphan
    name = target.targets[0]
    how = Destroy(
        target,
        f"Destroy plan for {what}, with {_source(found)}:",
        lambda _target, ledger: {name: plan(ledger)},
        lambda runs, _ledger: list(runs),
        lambda _names, seq: f"Destroyed {what} (release #{seq}).",
        lambda job, release, _names: destroy_recorded(job, release),
    )
    destroy_graph(ctx, how, options)
