"""The component graph as text, Mermaid, Graphviz dot or JSON (`envman graph`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from envman.graph.config import Components
from envman.graph.model import levels

FORMATS = ("text", "mermaid", "dot", "json")


def graph_document(components: Components, names: list[str], env: str | None) -> dict[str, Any]:
    edges = components.edges()
    chosen = set(names)
    nodes = []
    for name in names:
        spec = components.specs[name]
        nodes.append(
            {
                "name": name,
                "stack": _relative(spec.stack_dir, components.path.parent),
                "upstreams": [u for u in spec.upstreams if u in chosen],
                "inputs": {i.variable: f"{i.upstream}.{i.output}" for i in spec.inputs},
                "depends_on": list(spec.depends_on),
            }
        )
    links = [
        {"from": up, "to": name, "via": _via(components, up, name)}
        for name in names
        for up in edges[name]
        if up in chosen
    ]
    return {
        "environment": env,
        "components": nodes,
        "edges": links,
        "levels": levels(edges, names),
    }


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _via(components: Components, upstream: str, name: str) -> list[str]:
    """The outputs of ``upstream`` that ``name`` consumes (empty: depends_on only)."""
    return sorted(i.output for i in components.specs[name].inputs if i.upstream == upstream)


def render(document: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document, indent=2)
    if fmt == "mermaid":
        return _mermaid(document)
    if fmt == "dot":
        return _dot(document)
    return _text(document)


def _text(document: dict[str, Any]) -> str:
    title = (
        f"Components of '{document['environment']}'" if document["environment"] else "Components"
    )
    lines = [f"{title} (upstreams first; a level's components run in parallel):"]
    for depth, group in enumerate(document["levels"], start=1):
        lines.append(f"  level {depth}: {', '.join(group)}")
    for node in document["components"]:
        needs = []
        for edge in document["edges"]:
            if edge["to"] == node["name"]:
                via = ", ".join(edge["via"]) or "depends_on"
                needs.append(f"{edge['from']} ({via})")
        lines.append(f"  {node['name']} <- {'; '.join(needs) if needs else 'nothing'}")
    return "\n".join(lines)


def _mermaid(document: dict[str, Any]) -> str:
    lines = ["graph LR"]
    lines.extend(f"  {n['name']}" for n in document["components"])
    for edge in document["edges"]:
        label = ", ".join(edge["via"])
        arrow = f"-->|{label}|" if label else "-.->"
        lines.append(f"  {edge['from']} {arrow} {edge['to']}")
    return "\n".join(lines)


def _dot(document: dict[str, Any]) -> str:
    lines = ["digraph components {", "  rankdir=LR;"]
    lines.extend(f'  "{n["name"]}";' for n in document["components"])
    for edge in document["edges"]:
        label = ", ".join(edge["via"])
        style = f' [label="{label}"]' if label else " [style=dashed]"
        lines.append(f'  "{edge["from"]}" -> "{edge["to"]}"{style};')
    lines.append("}")
    return "\n".join(lines)
