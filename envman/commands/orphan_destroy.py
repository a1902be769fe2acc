"""`envman destroy` of an orphan: its destroy plan from the recorded project shown, the usual
rules (guard, protection, the typed name), one release of kind destroy (docs/operations.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from envman.commands import AppContext
from envman.commands.components import finish_all, show_graph_plan
from envman.config.project import Environment
from envman.errors import EnvmanError
from envman.graph.orphans import Orphan
from envman.graph.plan import ComponentRun, GraphTarget
from envman.operate.destroy import DestroyOptions
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import IMPLICIT, Kind
from envman.runs.session import console_say
from envman.timeutil import now


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
    """The one destroy flow for an orphan: plan with the recorded code, show, the usual rules,
    the typed name, one release of kind destroy."""
    from envman.commands.components_ops import _review_destroys
    from envman.graph.after import announcer
    from envman.graph.apply import GraphApply, audit_fields, begin_graph_release
    from envman.graph.orphan_destroy import destroy_recorded
    from envman.graph.reconcile import locked_graph
    from envman.operate.destroy import confirm_destroy, destroy_rules

    env = target.env
    found, what = orphan
    rules = destroy_rules(env, now(), options)  # refusals before anything runs
    console = ctx.console()
    store = store_for(env)
    say = console_say(console)
    name = target.targets[0]
    with locked_graph(ctx.project, env, store, "destroy", say) as lease:
        ledger = Ledger(store, env.name)
        runs = {name: plan(ledger)}
        job = GraphApply(target, ledger, runs, say, kind=Kind.DESTROY, lease=lease)
        try:
            console.print(f"Destroy plan for {what}, with {_source(found)}:", markup=False)
            show_graph_plan(console, target, runs)
            _review_destroys(runs, [name], options.allow_destroy, console)
            confirm_destroy(env.name, options)
            extra = audit_fields(options.break_glass, rules, tuple(options.allow_destroy))
            release = begin_graph_release(job, [name], **extra)
            try:
                destroy_recorded(job, release)
            except EnvmanError as exc:
                announcer(job).failed(release, str(exc))
                raise
        finally:
            finish_all(runs)
        announcer(job)("destroy", release, f"{env.name} destroyed", [])
    console.print(f"Destroyed {what} (release #{release.seq}).", markup=False)
