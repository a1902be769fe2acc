"""envman history ENV: the environment's releases, newest first."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from itertools import islice
from typing import Any

from rich.table import Table

from envman.commands import AppContext, emit_json
from envman.errors import EXIT_OK
from envman.graph.describe import describe_components
from envman.operate.audit import AuditEntry, audit_row, merge_newest_first, read_audit
from envman.releases.labels import check_label, labelled
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


@dataclass(frozen=True)
class HistoryOptions:
    as_json: bool = False
    limit: int | None = None
    label: str | None = None  # only the releases with this label (no audit entries)


def run_history(ctx: AppContext, name: str, options: HistoryOptions) -> int:
    as_json, limit = options.as_json, options.limit
    env = ctx.project.environment(name)
    ledger = Ledger(store_for(env), env.name)
    audits: list[AuditEntry] = []
    audit_problems: list[str] = []
    if options.label is not None:  # the whole ledger is read: a label may be anywhere in it
        wanted = check_label(options.label)
        releases = list(islice(labelled(ledger, wanted), limit))
    else:
        releases = ledger.page(limit)  # newest first; reads only the records it shows
        audits, audit_problems = read_audit(ledger.store, limit)  # `envman tf` audit entries
    remember_recorded(env, (r.inputs for r in releases))
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
        labelled_with = f" labelled {options.label}" if options.label else ""
        console.print(f"'{name}' has no releases{labelled_with} yet.")
        return EXIT_OK
    current = ledger.current()
    table = Table(show_edge=False, title=f"Releases of {name}")
    for column in ("seq", "label", "kind", "status", "inputs", "origin", "finished", "actor"):
        table.add_column(column)
    for record in records:
        if isinstance(record, AuditEntry):
            seq, *rest = audit_row(record)
            table.add_row(seq, "", *rest)
            continue
        mark = " *" if current is not None and record.seq == current.seq else ""
        table.add_row(
            f"#{record.seq}{mark}",
            record.label or "",
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
