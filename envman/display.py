"""What envman prints for people: plan summaries, version tables, outputs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from envman.planning import PlannedRun
from envman.terraform.models import OutputValue, changes_nothing

SENSITIVE = "<sensitive>"
_ACTION_STYLE = {"create": "green", "update": "yellow", "delete": "red", "replace": "magenta"}
_ACTION_SIGN = {"create": "+", "update": "~", "delete": "-", "replace": "-/+", "read": "<="}


def show_plan(console: Console, planned: PlannedRun) -> None:
    env = planned.workspace.env.name
    from envman.input_report import input_lines

    for line in input_lines(planned.inputs, planned.workspace.stack.sensitive_variables()):
        console.print(line, markup=False, highlight=False)
    show_changes_by_address(console, planned)
    changed = [n for n, a in planned.streamed.output_actions.items() if not changes_nothing(a)]
    if changed:
        console.print(f"  outputs changing: {', '.join(sorted(changed))}")
    console.print(f"Plan for [bold]{env}[/bold]: {planned.streamed.summary.text()}")


def show_changes_by_address(console: Console, planned: PlannedRun, indent: str = "  ") -> None:
    """One line per address the plan changes: `+ aws_s3_bucket.x (create)`."""
    for address, action in planned.streamed.planned:
        if changes_nothing(action):
            continue
        style = _ACTION_STYLE.get(action, "white")
        sign = _ACTION_SIGN.get(action, "?")
        console.print(f"{indent}[{style}]{sign} {address}[/{style}] ({action})", highlight=False)


def version_table(
    console: Console, title: str, rows: Iterable[tuple[str, Any, Any]], sensitive: set[str]
) -> None:
    table = Table(title=title, show_edge=False)
    table.add_column("variable")
    table.add_column("current")
    table.add_column("→")
    table.add_column("new")
    for name, old, new in rows:
        marker = "" if old == new else "changes"
        table.add_row(
            name,
            _fmt(old, name in sensitive),
            "→",
            _fmt(new, name in sensitive) + (f"  [yellow]({marker})[/yellow]" if marker else ""),
        )
    console.print(table)


def outputs_as_json(outputs: Mapping[str, OutputValue]) -> dict[str, Any]:
    return {
        name: {"value": SENSITIVE if out.sensitive else out.value, "sensitive": out.sensitive}
        for name, out in sorted(outputs.items())
    }


def show_outputs(console: Console, outputs: Mapping[str, OutputValue]) -> None:
    if not outputs:
        console.print("(no outputs)")
        return
    width = max(len(n) for n in outputs)
    for name, out in sorted(outputs.items()):
        value = SENSITIVE if out.sensitive else _plain(out.value)
        console.print(f"{name.ljust(width)} = {value}", highlight=False, markup=False)


def _fmt(value: Any, sensitive: bool) -> str:
    if sensitive:
        return SENSITIVE
    if value is None:
        return "(none)"
    return _plain(value)


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
