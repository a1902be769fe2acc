"""Orphaned components and environments: said by plan and apply, destroyed from the recorded
commit, or forgotten (docs/operations.md, "Orphans")."""

from __future__ import annotations

from dataclasses import replace

from envman.commands import AppContext, emit_json
from envman.config.locations import components_taken
from envman.config.project import Environment, Project
from envman.errors import EXIT_OK, EnvmanError, UsageError
from envman.graph.orphans import Orphan, find_orphans
from envman.operate.destroy import DestroyOptions
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import IMPLICIT
from envman.say import say_on_stderr


def _environment(project: Project, name: str) -> tuple[Environment, bool]:
    """The environment, and whether its folder is gone (known from the index only)."""
    from envman.graph.gone import gone_environment

    if name not in project.environment_names():
        gone = gone_environment(project, name)
        if gone is not None:
            return gone, True
    return project.environment(name), False


def _orphans(project: Project, env: Environment, gone: bool) -> list[Orphan]:
    if gone:
        from envman.graph.gone import gone_orphans

        return gone_orphans(project, env)
    return find_orphans(project, env, Ledger(store_for(env), env.name))


def _chosen(
    env: Environment, orphans: list[Orphan], only: tuple[str, ...], gone: bool
) -> list[Orphan]:
    if gone and not only:
        return orphans
    by_name = {o.component: o for o in orphans}
    missing = [n for n in only if n not in by_name]
    if missing or not only:
        what = f"-c {missing[0]}: " if missing else ""
        listed = ", ".join(by_name) or "none"
        raise UsageError(
            f"{what}'{env.name}' has no orphaned component '{missing[0] if missing else ''}'",
            hint=f"its orphaned components: {listed}",
        )
    return [by_name[n] for n in only]


def run_forget(
    ctx: AppContext, name: str, only: tuple[str, ...], reason: str, as_json: bool
) -> int:
    """`envman forget ENV -c NAME --reason R`: an audit entry; the state is left alone."""
    from envman.graph.forget import forget_orphans
    from envman.releases.oplock import acquire
    from envman.releases.provenance import actor

    if not reason.strip():
        raise UsageError("forget needs --reason", hint="say where the state went, or why it stays")
    env, gone = _environment(ctx.project, name)
    orphans = _orphans(ctx.project, env, gone)
    if not gone and not only:
        raise UsageError(
            f"forget {name}: name the orphaned component with -c",
            hint=f"its orphaned components: {', '.join(o.component for o in orphans) or 'none'}",
        )
    chosen = _chosen(env, orphans, only, gone)
    store = store_for(env)
    with acquire(store, "forget", actor(), environment=env.name, on_note=say_on_stderr):
        entries = forget_orphans(Ledger(store, env.name), chosen, reason.strip())
    if as_json:
        emit_json([e.to_json() for e in entries])
        return EXIT_OK
    console = ctx.console()
    for orphan, entry in zip(chosen, entries, strict=True):
        what = f"component '{orphan.component}'" if orphan.component != IMPLICIT else "the stack"
        console.print(
            f"Forgot orphaned {what} of '{env.name}' (audit entry {entry.id}); its state was "
            "left as it is.",
            markup=False,
        )
    return EXIT_OK


def orphan_destroy(
    ctx: AppContext, name: str, options: DestroyOptions, only: tuple[str, ...]
) -> int | None:
    """`destroy ENV -c NAME` of an orphaned component, or `destroy ENV` of a gone environment;
    None when the command names no orphan (the usual destroy)."""
    project = ctx.project
    env, gone = _environment(project, name)
    if not gone:
        if not project.settings.component:
            return None
        declared = [c.name for c in project.settings.component]
        if not only or all(n in components_taken(env, declared) for n in only):
            return None
    chosen = _chosen(env, _orphans(project, env, gone), only, gone)
    options = replace(options, warn=options.warn or say_on_stderr)
    for orphan in chosen:
        _destroy_one(ctx, env, orphan, options)
    return EXIT_OK


def _destroy_one(
    ctx: AppContext, env: Environment, orphan: Orphan, options: DestroyOptions
) -> None:
    from envman.commands.orphan_destroy import destroy_component, destroy_single
    from envman.graph.checkout import recorded_project

    if orphan.commit is None:
        raise EnvmanError(
            f"orphaned {orphan.component or env.name} of '{env.name}': no release recorded the "
            "git commit of its stack code, so envman cannot destroy it",
            hint=f"restore its block and run envman destroy, or use envman forget {env.name}"
            + (f" -c {orphan.component}" if orphan.component else "")
            + " --reason ...",
        )
    if orphan.dirty:
        say_on_stderr(
            f"envman: warning: release #{orphan.seq} was applied from a working tree with "
            f"uncommitted changes: commit {orphan.commit[:12]} may differ from what it applied"
        )
    what = f"destroy of orphaned component '{orphan.component}'"
    with recorded_project(ctx.project.root, orphan.commit, what) as old_root:
        if orphan.component == IMPLICIT:
            destroy_single(ctx, env, orphan, old_root, options)
        else:
            destroy_component(ctx, env, orphan, old_root, options)
