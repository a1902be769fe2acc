"""envman outputs ENV [NAME] [--json] [--raw]: the environment's outputs.

Sensitive values are shown as <sensitive>; ``--raw`` of a sensitive output is refused (envman
never prints a secret). ``--raw`` prints a string as it is and anything else as JSON."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

from envman.commands import AppContext, emit_json
from envman.display import outputs_as_json, show_outputs
from envman.errors import EXIT_OK, EnvmanError, UsageError
from envman.terraform.models import OutputValue
from envman.terraform.output import read_outputs
from envman.workspace import Workspace


@dataclass(frozen=True)
class OutputsRequest:
    environment: str
    name: str | None = None
    as_json: bool = False
    raw: bool = False
    component: str | None = None  # the one component read (docs/components.md)
    components: tuple[str, ...] = ()  # -c as given


def run_outputs(ctx: AppContext, request: OutputsRequest) -> int:
    """Every output, or one; of a component environment: per component, or one component's."""
    from dataclasses import replace

    from envman.commands.requests import Scope
    from envman.commands.shape import has_components, single_stack

    if not has_components(ctx):
        single_stack(ctx, Scope(request.components))
        return _show(ctx, request)
    from envman.commands.components_ops import output_component, run_component_outputs

    if request.name is None and not request.raw:
        env, only, as_json = request.environment, list(request.components), request.as_json
        return run_component_outputs(ctx, env, only, as_json)
    if len(request.components) == 1:
        return _show(ctx, replace(request, component=request.components[0]))
    if request.name is not None and not request.components:
        owner, output = output_component(ctx, request.environment, request.name)
        return _show(ctx, replace(request, name=output, component=owner))
    return _show(ctx, request)


def _show(ctx: AppContext, request: OutputsRequest) -> int:
    if request.raw and request.name is None:
        raise UsageError("--raw needs an output NAME", hint="envman outputs ENV NAME --raw")
    if request.raw and request.as_json:
        raise UsageError("--raw and --json do not go together")
    project = ctx.project
    env = project.environment(request.environment)
    if request.component is not None:
        outputs = _component_outputs(ctx, request.environment, request.component)
    else:
        workspace = Workspace(project, env)
        workspace.ensure_init()
        outputs = read_outputs(workspace.terraform)
    if request.name is not None:
        outputs = {request.name: _one(outputs, request)}
    if request.raw:
        print(raw_value(outputs[str(request.name)]))
    elif request.as_json:
        emit_json(outputs_as_json(outputs))
    else:
        show_outputs(ctx.console(), outputs)
    return EXIT_OK


def _component_outputs(ctx: AppContext, environment: str, component: str) -> dict[str, OutputValue]:
    """One component's state outputs, its upstreams' read first: an output that carries a
    secret wired in from one of them is shown as sensitive."""
    from envman.graph.plan import component_workspace, read_secret_sources
    from envman.graph.select import graph_target
    from envman.terraform.state_direct import current_outputs

    target = graph_target(ctx.project, ctx.project.environment(environment), [component])
    read_secret_sources(target, {})
    return current_outputs(component_workspace(target, component))


def _one(outputs: dict[str, OutputValue], request: OutputsRequest) -> OutputValue:
    name = str(request.name)
    if name in outputs:
        return outputs[name]
    close = difflib.get_close_matches(name, list(outputs), n=1)
    known = ", ".join(sorted(outputs)) or "none"
    raise EnvmanError(
        f"'{request.environment}' has no output '{name}'",
        hint=(f"did you mean '{close[0]}'? " if close else "") + f"outputs: {known}",
    )


def raw_value(output: OutputValue) -> str:
    if output.sensitive:
        raise EnvmanError(
            f"output '{output.name}' is sensitive; envman never prints its value",
            hint="read it where it is needed (terraform output -raw in a trusted step)",
        )
    value = output.value
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
