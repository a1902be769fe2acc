"""`envman destroy` of an orphan: its destroy plan from the recorded project shown, the usual
rules (guard, protection, the typed name), one release of kind destroy (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

from envman.commands import AppContext
from envman.commands.components import finish_all, show_graph_plan
from envman.config.project import Environment, load_project
from envman.display import show_plan
from envman.errors import EnvmanError
from envman.graph.orphans import Orphan
from envman.operate.destroy import DestroyOptions
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Kind
from envman.runs.session import console_say
from envman.timeutil import now


def _source(orphan: Orphan) -> str:
    return f"the stack code of release #{orphan.seq} (commit {str(orphan.commit)[:12]})"


def destroy_component(
    ctx: AppContext, env: Environment, orphan: Orphan, old_root: Path, options: DestroyOptions
) -> None:
    from envman.commands.components_ops import _review_destroys
    from envman.graph.after import announce
    from envman.graph.apply import GraphApply, audit_fields, begin_graph_release
    from envman.graph.orphan_destroy import destroy_recorded, plan_orphan_destroy, recorded_target
    from envman.graph.reconcile import locked_graph
    from envman.operate.destroy import confirm_destroy, destroy_rules

    project = ctx.project
    target = recorded_target(project, env, old_root, orphan)
    rules = destroy_rules(target.env, now(), options)  # refusals before anything runs
    console = ctx.console()
    store = store_for(env)
    say = console_say(console)
    name = orphan.component
    with locked_graph(project, target.env, store, "destroy", say) as lease:
        ledger = Ledger(store, env.name)
        runs = {name: plan_orphan_destroy(target, ledger, env)}
        job = GraphApply(target, ledger, runs, say, kind=Kind.DESTROY, lease=lease)
        try:
            console.print(
                f"Destroy plan for orphaned component '{name}' of {env.name}, with "
                f"{_source(orphan)}:",
                markup=False,
            )
            show_graph_plan(console, target, runs)
            _review_destroys(runs, [name], options.allow_destroy, console)
            confirm_destroy(env.name, options)
            extra = audit_fields(options.break_glass, rules, tuple(options.allow_destroy))
            release = begin_graph_release(job, [name], **extra)
            try:
                destroy_recorded(job, release)
            except EnvmanError as exc:
                announce(job, release, "destroy_failed", [str(exc)])
                raise
        finally:
            finish_all(runs)
        announce(job, release, "destroy", [])
    console.print(
        f"Destroyed orphaned component '{name}' of '{env.name}' (release #{release.seq}).",
        markup=False,
    )


def destroy_single(
    ctx: AppContext, env: Environment, orphan: Orphan, old_root: Path, options: DestroyOptions
) -> None:
    """The one stack of an environment whose folder is gone, as the recorded commit had it."""
    from envman.graph.orphan_destroy import recorded_environment
    from envman.operate.destroy import (
        deploy_destroy,
        destroy_rules,
        discard_destroy_plan,
        plan_destroy,
    )
    from envman.runs.session import locked_operation
    from envman.workspace import Workspace

    project = ctx.project
    recorded = recorded_environment(project, env, load_project(old_root))
    rules = destroy_rules(recorded, now(), options)
    store = store_for(env)
    console = ctx.console()
    workspace = Workspace(project, recorded)
    with locked_operation(workspace, store, "destroy", console_say(console)):
        ledger = Ledger(store, env.name)
        plan = plan_destroy(workspace)
        try:
            console.print(f"Destroy plan for orphaned {env.name}, with {_source(orphan)}:")
            show_plan(console, plan.planned)
            result = deploy_destroy(ledger, plan, options, rules, console)
        finally:
            discard_destroy_plan(plan)
    if result.release is not None:
        console.print(f"Destroyed orphaned '{env.name}' (release #{result.release.seq}).")
