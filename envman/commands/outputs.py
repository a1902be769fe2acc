"""envman outputs ENV: the environment's outputs; sensitive values shown as <sensitive>."""

from __future__ import annotations

from envman.commands import AppContext, emit_json
from envman.display import outputs_as_json, show_outputs
from envman.errors import EXIT_OK
from envman.terraform.output import read_outputs
from envman.workspace import Workspace


def run_outputs(ctx: AppContext, name: str, as_json: bool) -> int:
    project = ctx.project
    workspace = Workspace(project, project.environment(name))
    workspace.ensure_init()
    outputs = read_outputs(workspace.terraform)
    if as_json:
        emit_json(outputs_as_json(outputs))
    else:
        show_outputs(ctx.console(), outputs)
    return EXIT_OK
