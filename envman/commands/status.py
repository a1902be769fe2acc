"""envman status: current release per environment, pinned versions, pending promotions, drift."""

from __future__ import annotations

import sys
from typing import Any

from rich.table import Table

from envman.commands import AppContext, emit_json
from envman.commands.history import describe_inputs
from envman.errors import EXIT_OK, EnvmanError
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.runs.session import reconcile_unlocked
from envman.workspace import Workspace

DRIFT_DOC = "drift/last.json"


def environment_status(ctx: AppContext, name: str) -> dict[str, Any]:
    env = ctx.project.environment(name)
    row: dict[str, Any] = {"environment": name, "current": None, "drift": None, "error": None}
    try:
        store = store_for(env)
        reconcile_unlocked(  # releases left applying by a run that died
            Workspace(ctx.project, env), store, lambda line: print(line, file=sys.stderr)
        )
        ledger = Ledger(store, name)
        current = ledger.current()
        latest = ledger.latest()
        drift = ledger.read_doc(DRIFT_DOC)
        for problem in ledger.problems:
            print(f"warning: {problem}", file=sys.stderr)
    except EnvmanError as exc:
        row["error"] = str(exc)
        return row
    if current is not None:
        row["current"] = {
            "seq": current.seq,
            "kind": current.kind,
            "status": current.status,
            "inputs": current.inputs,
            "finished_at": current.finished_at,
            "actor": current.actor,
            "source": current.source.model_dump() if current.source else None,
        }
    if latest is not None and (current is None or latest.seq != current.seq):
        row["latest"] = {"seq": latest.seq, "kind": latest.kind, "status": latest.status}
    if drift is not None:
        row["drift"] = {k: drift.get(k) for k in ("status", "checked_at", "counts")}
    return row


def pending_promotions(ctx: AppContext, rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Versions a promotion source runs that its target does not yet."""
    pending = []
    for env in ctx.project.environments():
        promotion = env.config.promotion
        if env.name not in rows or promotion is None or promotion.source not in rows:
            continue
        source = (rows[promotion.source].get("current") or {}).get("inputs") or {}
        target = (rows[env.name].get("current") or {}).get("inputs") or {}
        for variable, output in sorted(promotion.variables.items()):
            if variable in source and source.get(variable) != target.get(variable):
                pending.append(
                    {
                        "source": promotion.source,
                        "target": env.name,
                        "variable": variable,
                        "source_value": source.get(variable),
                        "target_value": target.get(variable),
                        "output": output,
                    }
                )
    return pending


def run_status(ctx: AppContext, names: list[str], as_json: bool) -> int:
    project = ctx.project
    wanted = names or project.environment_names()
    for name in wanted:
        project.environment(name)
    rows = {
        name: environment_status(ctx, name)
        for name in project.environment_names()
        if name in wanted or not names
    }
    pending = pending_promotions(ctx, rows)
    if as_json:
        emit_json({"environments": [rows[n] for n in wanted], "pending_promotions": pending})
        return EXIT_OK
    console = ctx.console()
    table = Table(show_edge=False, title="Environments")
    for column in ("environment", "release", "status", "pinned inputs", "when", "by", "drift"):
        table.add_column(column)
    for name in wanted:
        row = rows[name]
        current = row.get("current") or {}
        drift = row.get("drift") or {}
        release = f"#{current['seq']} {current['kind']}" if current else "-"
        status = current.get("status", "-") if current else ("error" if row["error"] else "-")
        table.add_row(
            name,
            release,
            status,
            describe_inputs(current.get("inputs") or {}),
            current.get("finished_at") or "",
            current.get("actor") or "",
            f"{drift.get('status')} ({drift.get('checked_at')})" if drift else "-",
        )
        if row["error"]:
            print(f"warning: {name}: {row['error']}", file=sys.stderr)
    console.print(table)
    if pending:
        console.print("Waiting for promotion:")
        for item in pending:
            console.print(
                f"  {item['source']} → {item['target']}: {item['variable']} "
                f"{item['target_value']} → {item['source_value']}"
            )
    else:
        console.print("No versions waiting for promotion.")
    return EXIT_OK
