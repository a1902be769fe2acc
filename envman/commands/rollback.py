"""envman rollback ENV [--to SEQ]: re-apply an earlier release's inputs."""

from __future__ import annotations

from envman.commands import AppContext
from envman.commands.requests import RollbackRequest


def run_rollback(ctx: AppContext, request: RollbackRequest) -> int:
    from envman.commands.components import run_graph_rollback

    return run_graph_rollback(ctx, request)
