"""envman destroy ENV: plan a destroy, show it, type the name, destroy, record kind destroy
(the one flow: envman.commands.components_ops; an orphan: envman.commands.orphans)."""

from __future__ import annotations

from envman.commands import AppContext
from envman.operate.destroy import DestroyOptions


def run_destroy(
    ctx: AppContext, name: str, options: DestroyOptions, components: tuple[str, ...] = ()
) -> int:
    from envman.commands.components_ops import run_graph_destroy
    from envman.commands.orphans import orphan_destroy
    from envman.commands.requests import Scope
    from envman.commands.shape import has_components, single_stack

    orphaned = orphan_destroy(ctx, name, options, components)  # docs/operations.md "Orphans"
    if orphaned is not None:
        return orphaned
    if not has_components(ctx):
        single_stack(ctx, Scope(components))  # -c on a single stack: a usage error
    return run_graph_destroy(ctx, name, list(components), options)
