"""envman list: environments, their stack, backend, promotion source.

An environment whose configuration does not load is listed as broken (with its one-line
error), the others normally; the exit code is then 1."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from envman.commands import AppContext, emit_json
from envman.errors import EXIT_ERROR, EXIT_OK, EnvmanError


def environment_rows(ctx: AppContext) -> list[dict[str, Any]]:
    project = ctx.project
    rows = []
    for name in project.environment_names():
        try:
            env = project.environment(name)
        except EnvmanError as exc:
            rows.append(_broken_row(name, str(exc)))
            continue
        backend = env.config.backend
        rows.append(
            {
                "name": env.name,
                "description": env.config.description,
                "stack": _relative(env.stack_dir, project.root),
                "backend": backend.type if backend else None,
                "promotion_from": env.config.promotion.source if env.config.promotion else None,
                "protected": env.protected,
                "emulator": bool(env.config.aws and env.config.aws.endpoint_url),
                "error": None,
            }
        )
        if project.settings.component:  # docs/components.md: its components, no single stack
            rows[-1].update(_components(ctx, env))
    from envman.commands.orphan_report import gone_list_rows

    rows.extend(gone_list_rows(project))  # folder deleted, ledger and state left
    return rows


def _components(ctx: AppContext, env: Any) -> dict[str, Any]:
    from envman.graph.config import load_components
    from envman.graph.environment import environment_components

    try:
        names = environment_components(ctx.project, env, load_components(ctx.project))
    except EnvmanError as exc:
        return {"stack": None, "components": None, "error": str(exc)}
    return {"stack": f"components: {', '.join(names)}", "components": names}


def _broken_row(name: str, error: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": "",
        "stack": None,
        "backend": None,
        "promotion_from": None,
        "protected": None,
        "emulator": None,
        "error": error,
    }


def run_list(ctx: AppContext, as_json: bool) -> int:
    rows = environment_rows(ctx)
    code = EXIT_ERROR if any(row["error"] for row in rows) else EXIT_OK
    if as_json:
        emit_json(rows)
        return code
    console = ctx.console()
    if not rows:
        console.print(f"No environments in {ctx.project.root / 'environments'}.")
        return EXIT_OK
    table = Table(show_edge=False)
    for column in ("environment", "stack", "backend", "promotes from", "protected", "description"):
        table.add_column(column)
    for row in rows:
        if row.get("orphaned") is not None:
            table.add_row(
                row["name"], "-", row["backend"] or "-", "-", "-", Text(row["description"])
            )
            continue
        if row["error"]:
            table.add_row(row["name"], "-", "-", "-", "-", Text(f"BROKEN: {row['error']}"))
            continue
        table.add_row(
            row["name"],
            row["stack"],
            row["backend"] or "-",
            row["promotion_from"] or "-",
            "yes" if row["protected"] else "no",
            row["description"],
        )
    console.print(table)
    return code


def _relative(path: Any, root: Any) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
