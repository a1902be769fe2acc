"""envman graph [ENV]: the component graph (docs/components.md)."""

from __future__ import annotations

from envman.commands import AppContext
from envman.errors import EXIT_OK, UsageError
from envman.graph.config import has_components, load_components
from envman.graph.environment import environment_components
from envman.graph.render import FORMATS, graph_document, render


def run_graph(ctx: AppContext, name: str | None, fmt: str) -> int:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}'", hint=f"use one of {', '.join(FORMATS)}")
    project = ctx.project
    if not has_components(project):
        raise UsageError(
            "this project has no components: each environment has one stack",
            hint='declare component "NAME" { stack = "..." } blocks in envman.hcl',
        )
    components = load_components(project)
    names = components.names
    if name is not None:
        names = environment_components(project, project.environment(name), components)
    print(render(graph_document(components, names, name), fmt))
    return EXIT_OK
