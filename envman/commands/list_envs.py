"""envman list: environments, their stack, backend, promotion source."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from envman.commands import AppContext, emit_json
from envman.errors import EXIT_OK


def environment_rows(ctx: AppContext) -> list[dict[str, Any]]:
    project = ctx.project
    rows = []
    for env in project.environments():
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
            }
        )
    return rows


def run_list(ctx: AppContext, as_json: bool) -> int:
    rows = environment_rows(ctx)
    if as_json:
        emit_json(rows)
        return EXIT_OK
    console = ctx.console()
    if not rows:
        console.print(f"No environments in {ctx.project.root / 'environments'}.")
        return EXIT_OK
    table = Table(show_edge=False)
    for column in ("environment", "stack", "backend", "promotes from", "protected", "description"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["name"],
            row["stack"],
            row["backend"] or "-",
            row["promotion_from"] or "-",
            "yes" if row["protected"] else "no",
            row["description"],
        )
    console.print(table)
    return EXIT_OK


def _relative(path: Any, root: Any) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
