"""envman destroy and outputs of an environment made of components (docs/components.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from rich.console import Console

from envman.commands import AppContext, emit_json
from envman.commands.components import finish_all, show_graph_plan
from envman.errors import EXIT_OK, UsageError
from envman.graph.apply import (
    GraphApply,
    apply_graph,
    audit_fields,
    begin_graph_release,
    touched,
)
from envman.graph.plan import ComponentRun, GraphTarget, component_workspace
from envman.graph.reconcile import locked_graph
from envman.graph.select import graph_target
from envman.operate.destroy import DestroyOptions
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Kind, Release
from envman.runs.session import console_say
from envman.say import say_on_stderr
from envman.timeutil import now


def run_component_outputs(ctx: AppContext, environment: str, only: list[str], as_json: bool) -> int:
    """`outputs ENV [-c COMPONENT]`: each component's state outputs (secrets hidden)."""
    from envman.display import outputs_as_json, show_outputs
    from envman.graph.plan import read_secret_sources
    from envman.terraform.state_direct import current_outputs

    target = graph_target(ctx.project, ctx.project.environment(environment), only)
    read_secret_sources(target, {})
    document: dict[str, Any] = {}
    console = ctx.console(json_mode=as_json)
    for name in target.targets:
        workspace = component_workspace(target, name)
        outputs = current_outputs(workspace)
        if as_json:
            document[name] = outputs_as_json(outputs)
        else:
            console.print(f"{name}:", markup=False)
            show_outputs(console, outputs)
    if as_json:
        emit_json(document if len(only) != 1 else document[only[0]])
    return EXIT_OK


def _review_destroys(
    runs: dict[str, ComponentRun], names: list[str], allow: tuple[str, ...], console: Console
) -> None:
    """The guard's prevent_destroy (and policies) hold for a destroy, --allow-destroy lets an
    address through; max_destroy does not apply (exit 3 before the typed name)."""
    from envman.guard.review import review_before_apply

    for name in names:
        planned = runs[name].planned
        if planned is not None:
            review_before_apply(planned, allow, console, destroy_run=True)


@dataclass(frozen=True)
class Destroy:
    """One destroy: what differs between an environment's (all of it, or components and their
    dependents) and an orphan's (planned with the code of the release that last applied it)."""

    target: GraphTarget
    heading: str  # the line above the plan
    plan: Callable[[GraphTarget, Ledger], dict[str, ComponentRun]]
    chosen: Callable[[dict[str, ComponentRun], Ledger], list[str]]  # the components it records
    done: Callable[[list[str], int], str]  # the closing line: names destroyed, release seq
    apply: Callable[[GraphApply, Release, list[str]], object] = apply_graph


def run_graph_destroy(ctx: AppContext, name: str, only: list[str], options: DestroyOptions) -> int:
    """`destroy ENV [-c COMPONENT]...`: dependents first, the typed name always."""
    from envman.graph.destroy import destroy_target, plan_graph_destroy

    env = ctx.project.environment(name)
    target = destroy_target(graph_target(ctx.project, env, only), list(only))
    order = "" if target.implicit else " (dependents first)"
    return destroy_graph(
        ctx,
        Destroy(
            target,
            f"Destroy plan for {env.name}{order}:",
            plan_graph_destroy,
            lambda runs, ledger: touched(runs, ledger, Kind.DESTROY),
            lambda names, seq: _destroyed(target, names, seq),
        ),
        options,
    )


def destroy_graph(ctx: AppContext, how: Destroy, options: DestroyOptions) -> int:
    """The one destroy flow: the rules (protection, windows) before anything runs, the
    operation lock, the destroy plan shown, the guard, the typed name, one release of kind
    destroy, the notification."""
    from envman.graph.after import announcer, apply_announced
    from envman.operate.destroy import confirm_destroy, destroy_rules

    target, env = how.target, how.target.env
    options = replace(options, warn=options.warn or say_on_stderr)
    rules = destroy_rules(env, now(), options)  # refusals before anything runs
    console = ctx.console()
    store = store_for(env)
    say = console_say(console)
    with locked_graph(ctx.project, env, store, "destroy", say) as lease:
        ledger = Ledger(store, env.name)
        runs = how.plan(target, ledger)
        job = GraphApply(target, ledger, runs, say, kind=Kind.DESTROY, lease=lease)
        try:
            console.print(how.heading, markup=False)
            show_graph_plan(console, target, runs)
            names = how.chosen(runs, ledger)
            if not names:
                console.print(_nothing_to_destroy(target))
                return EXIT_OK
            _review_destroys(runs, names, options.allow_destroy, console)
            confirm_destroy(env.name, options)
            extra = audit_fields(options.break_glass, rules, tuple(options.allow_destroy))
            release = begin_graph_release(job, names, **extra)
            apply_announced(job, release, names, how.apply)
        finally:
            finish_all(runs)
        announcer(job)("destroy", release, f"{env.name} destroyed", [])
        console.print(how.done(names, release.seq), markup=False)
    return EXIT_OK


def _nothing_to_destroy(target: GraphTarget) -> str:
    name = target.env.name
    if target.implicit:
        return f"Nothing to destroy: '{name}' has nothing in its state."
    return f"Nothing to destroy in '{name}'."


def _destroyed(target: GraphTarget, names: list[str], seq: int) -> str:
    name = target.env.name
    if target.implicit:
        return (
            f"'{name}' is destroyed (release #{seq}); it has no current release: "
            f"`envman apply {name}` rebuilds it with the stack's values."
        )
    return f"Destroyed {', '.join(names)} of '{name}' (release #{seq})."


def output_component(ctx: AppContext, environment: str, name: str) -> tuple[str, str]:
    """`outputs ENV NAME` without -c: NAME is `component.output`, or an output exactly one
    component's stack declares. Returns (component, output)."""
    target = graph_target(ctx.project, ctx.project.environment(environment))
    component, dot, output = name.partition(".")
    if dot and component in target.names:
        return component, output
    holders = [n for n in target.names if name in component_workspace(target, n).stack.outputs]
    if len(holders) == 1:
        return holders[0], name
    if holders:
        raise UsageError(
            f"output '{name}' is declared by components {', '.join(holders)} of '{environment}'",
            hint=f"name one: envman outputs {environment} {holders[0]}.{name}",
        )
    raise UsageError(
        f"no component of '{environment}' declares an output '{name}'",
        hint=f"list them: envman outputs {environment}",
    )
