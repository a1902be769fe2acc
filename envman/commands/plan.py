"""envman plan ENV: plan with pinned inputs and --set, save the plan for `apply --plan`."""

from __future__ import annotations

from envman.commands import AppContext
from envman.commands.requests import PlanRequest


def run_plan(ctx: AppContext, request: PlanRequest) -> int:
    from envman.commands.components import run_graph_plan
    from envman.commands.shape import plan_graph_request, single_stack

    single_stack(ctx, request.scope)
    return run_graph_plan(ctx, plan_graph_request(request))
