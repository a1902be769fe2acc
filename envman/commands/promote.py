"""envman promote [TARGET] [--from SOURCE]: promote what runs in the source into the target."""

from __future__ import annotations

from envman.commands import AppContext
from envman.commands.requests import PromoteRequest


def run_promote(ctx: AppContext, request: PromoteRequest) -> int:
    from envman.commands.components import run_graph_promote

    return run_graph_promote(ctx, request)
