"""An environment's shape, decided in one place for every command: a project with `component`
blocks runs each environment as a graph of them (docs/components.md); a single-stack project
refuses the component options with one clear line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from envman.commands import AppContext
from envman.commands.requests import ApplyRequest, PlanRequest, Scope
from envman.errors import UsageError

if TYPE_CHECKING:
    from envman.commands.components import GraphRequest


def has_components(ctx: AppContext) -> bool:
    return bool(ctx.project.settings.component)


def single_stack(ctx: AppContext, scope: Scope | None = None, *, needed: bool = False) -> None:
    """Refuse component options on a single-stack project (and, with ``needed``, a command
    that does not run for environments of components)."""
    if has_components(ctx):
        if needed:
            raise UsageError(
                "this is not supported yet for environments made of components",
                hint="see docs/components.md: plan, apply, promote, rollback, outputs -c, drift",
            )
        return
    if scope is not None and scope.components:
        raise UsageError(
            f"-c {scope.components[0]}: components are not configured in this project",
            hint="leave -c out: the environment has one stack",
        )
    if scope is not None and scope.changed is not None:
        raise UsageError("--changed: components are not configured in this project")


def plan_graph_request(request: PlanRequest) -> GraphRequest:
    from envman.commands.components import GraphRequest

    request.output.check()
    return GraphRequest(
        request.environment,
        components=request.scope.components,
        changed=request.scope.changed,
        sets=request.sets,
        parallel=request.scope.parallel,
        as_json=request.as_json,
        detailed_exitcode=request.detailed_exitcode,
        review=request.output,
        pins=(request.pins.pin, request.pins.unpin),
    )


def apply_graph_request(request: ApplyRequest) -> GraphRequest:
    from envman.commands.components import GraphRequest

    return GraphRequest(
        request.environment,
        components=request.scope.components,
        sets=request.sets,
        parallel=request.scope.parallel,
        as_json=request.as_json,
        confirm=request.confirm,
        break_glass=request.break_glass,
        allow_destroy=request.allow_destroy,
        pins=(request.pins.pin, request.pins.unpin),
        use_plan=request.use_saved_plan,
    )
