"""envman apply ENV: plan (or take the saved plan), confirm, apply, record, verify."""

from __future__ import annotations

from envman.commands import AppContext
from envman.commands.requests import ApplyRequest


def run_apply(ctx: AppContext, request: ApplyRequest) -> int:
    from envman.commands.components import run_graph_apply
    from envman.commands.shape import apply_graph_request, single_stack

    single_stack(ctx, request.scope)
    return run_graph_apply(ctx, apply_graph_request(request))
