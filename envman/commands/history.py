"""envman history ENV: the environment's releases, newest first."""

from __future__ import annotations

import sys
from typing import Any

from rich.table import Table

from envman.commands import AppContext, emit_json
from envman.errors import EXIT_OK
from envman.graph.describe import describe_components
from envman.operate.audit import AuditEntry, audit_row, merge_newest_first, read_audit
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Release
from envman.secrets.redactor import redact
from envman.secrets.sources import remember_recorded


def describe_inputs(inputs: dict[str, Any]) -> str:
    """Redacted here already: a table may fold a long cell across lines."""
    from envman.input_values import show

    return redact(", ".join(f"{k}={show(v)}" for k, v in sorted(inputs.items()))) or "-"


def describe_origin(release: Release) -> str:
    if release.kind == "promote" and release.source is not None:
        return f"from {release.source.environment}#{release.source.seq}"
    if release.kind == "rollback":
        return f"to #{release.target_seq}"
    return ""


def run_history(ctx: AppContext, name: str, as_json: bool, limit: int | None) -> int:
    env = ctx.project.environment(name)
    ledger = Ledger(store_for(env), env.name)
    releases = ledger.page(limit)  # newest first; reads only the records it shows
    remember_recorded(env, (r.inputs for r in releases))
    audits, audit_problems = read_audit(ledger.store, limit)  # `envman tf` audit entries
    records = merge_newest_first(releases, audits)
    if limit is not None:
        records = records[:limit]
    for problem in [*ledger.problems, *audit_problems]:
        print(f"warning: {problem}", file=sys.stderr)
    if as_json:
        emit_json([r.to_json() for r in records])
        return EXIT_OK
    console = ctx.console()
    if not records:
        console.print(f"'{name}' has no releases yet.")
        return EXIT_OK
    current = ledger.current()
    table = Table(show_edge=False, title=f"Releases of {name}")
    for column in ("seq", "kind", "status", "inputs", "origin", "finished", "actor"):
        table.add_column(column)
    for record in records:
        if isinstance(record, AuditEntry):
            table.add_row(*audit_row(record))
            continue
        mark = " *" if current is not None and record.seq == current.seq else ""
        table.add_row(
            f"#{record.seq}{mark}",
            record.kind,
            record.status,
            describe_inputs(record.inputs)
            if record.components is None
            else describe_components(record.components),
            describe_origin(record),
            record.finished_at or record.started_at or "",
            record.actor or "",
        )
    console.print(table)
    console.print("* current release")
    last_ok = ledger.last_successful()
    if last_ok is not None and last_ok.kind == "destroy":
        console.print(f"'{name}' was destroyed by release #{last_ok.seq}; no current release.")
    return EXIT_OK
