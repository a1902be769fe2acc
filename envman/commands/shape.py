"""Every environment runs as a graph of components (docs/components.md); a project without
`component` blocks has one implicit component per environment, and refuses the options that
name components with one clear line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from envman.commands import AppContext
from envman.commands.requests import ApplyRequest, PlanRequest, Scope
from envman.errors import UsageError

if TYPE_CHECKING:
    from envman.commands.components import GraphRequest


def has_components(ctx: AppContext) -> bool:
    return bool(ctx.project.settings.component)


def single_stack(ctx: AppContext, scope: Scope | None = None) -> None:
    """Refuse component options on a single-stack project: it has no component to name."""
    if has_components(ctx):
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
