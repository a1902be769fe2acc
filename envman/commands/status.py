"""envman status: current release per environment, pinned versions, pending promotions, drift."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

from rich.table import Table

from envman.commands import AppContext, emit_json
from envman.commands.history import describe_inputs
from envman.errors import EXIT_OK, EnvmanError
from envman.graph.reconcile import settle_unlocked
from envman.input_values import UNSET, show
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Release
from envman.releases.store import LedgerStore
from envman.secrets.sources import remember_recorded

DRIFT_DOC = "drift/last.json"
AUDIT_LOOKBACK = 5  # the newest tf audit entries read to tell a drift result stale


def environment_status(ctx: AppContext, name: str) -> dict[str, Any]:
    row: dict[str, Any] = {"environment": name, "current": None, "drift": None, "error": None}
    try:
        env = ctx.project.environment(name)  # a broken folder: its row says why
        store = store_for(env)
        settle_unlocked(  # releases (and components) left applying by a run that died
            ctx.project, env, store, lambda line: print(line, file=sys.stderr)
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
        remember_recorded(env, [current.inputs])
        row["current"] = {
            "seq": current.seq,
            "label": current.label,
            "kind": current.kind,
            "status": current.status,
            "inputs": current.inputs,
            "values": current.values,
            "finished_at": current.finished_at,
            "actor": current.actor,
            "source": current.source.model_dump() if current.source else None,
        }
    if ctx.project.settings.component:  # docs/components.md: per component
        from envman.graph.describe import component_status

        row["components"] = component_status(ctx.project, env, ledger)
        from envman.commands.orphan_report import status_orphans

        row["orphans"] = status_orphans(ctx.project, env, ledger)
    row["destroyed"] = _destroyed(ledger) if current is None else None
    if any(c and not c.get("destroyed") for c in (row.get("components") or {}).values()):
        row["destroyed"] = None  # some components were destroyed, not the environment
    if latest is not None and (current is None or latest.seq != current.seq):
        row["latest"] = {"seq": latest.seq, "kind": latest.kind, "status": latest.status}
    if drift is not None:
        row["drift"] = {k: drift.get(k) for k in ("status", "checked_at", "counts")}
        checked_at = drift.get("checked_at")
        stale = drift_is_stale(checked_at, latest) or state_moved_since(checked_at, store)
        row["drift"]["stale"] = stale
    return row


def state_moved_since(checked_at: Any, store: LedgerStore) -> bool:
    """Whether a `tf` command changed the state after the drift result (its audit entry's
    serial moved, or its outcome is unknown): the result may no longer hold."""
    from envman.operate.audit import read_audit

    checked = _moment(checked_at)
    try:
        entries, _ = read_audit(store, AUDIT_LOOKBACK)
    except EnvmanError:  # the audit trail unreadable: the release time alone decides
        return False
    for entry in entries:
        ended = _moment(entry.finished_at or entry.started_at)
        if ended is None or (checked is not None and ended <= checked):
            continue
        serials = entry.state
        if serials.serial_after is None or serials.serial_after != serials.serial_before:
            return True
    return False


def drift_is_stale(checked_at: Any, latest: Release | None) -> bool:
    """Whether a drift result predates the newest release: an apply (or a destroy) since may
    have changed what it found, so it no longer says what the environment is."""
    if latest is None:
        return False
    changed = latest.finished_at or latest.started_at
    checked, released = _moment(checked_at), _moment(changed)
    if released is None:
        return False
    return checked is None or checked < released


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def short_time(value: Any) -> str:
    """A recorded time for the table, whole and to the second: 2026-12-06T04:12:33Z."""
    moment = _moment(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else str(value or "")


def _destroyed(ledger: Ledger) -> dict[str, Any] | None:
    """The destroy that left the environment without a current release, if any."""
    from envman.operate.destroy import destroyed_by

    release = destroyed_by(ledger)
    if release is None:
        return None
    return {"seq": release.seq, "finished_at": release.finished_at, "actor": release.actor}


def pending_promotions(ctx: AppContext, rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Versions a promotion source runs that its target does not yet."""
    pending = []
    for env in ctx.project.environments():
        promotion = env.config.promotion
        if env.name not in rows or promotion is None or promotion.source not in rows:
            continue
        source = _ran_with(rows[promotion.source].get("current") or {})
        target = _ran_with(rows[env.name].get("current") or {})
        if "components" in rows[env.name]:  # docs/components.md: `component.name` on both sides
            from envman.graph.describe import component_values

            outputs = component_values(rows[promotion.source], "outputs")
            source = {v: outputs.get(o) for v, o in promotion.variables.items() if o in outputs}
            target = component_values(rows[env.name], "ran_with")
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


def _ran_with(current: dict[str, Any]) -> dict[str, Any]:
    """The values a release ran with: its recorded `values`, or only its pins (older records)."""
    values = current.get("values")
    if values is None:
        return dict(current.get("inputs") or {})
    return {n: e["value"] for n, e in values.items() if isinstance(e, dict) and "value" in e}


def run_status(ctx: AppContext, names: list[str], as_json: bool) -> int:
    from envman.commands.orphan_report import gone_rows

    project = ctx.project
    gone = gone_rows(project, names)  # folders deleted, ledger and state left
    wanted = names or [*project.environment_names(), *gone]
    for name in names:  # named: each must load; all: a broken one is a row with its error
        if name not in gone:
            project.environment(name)
    rows = {
        name: environment_status(ctx, name)
        for name in project.environment_names()
        if name in wanted or not names
    }
    rows.update(gone)
    pending = pending_promotions(ctx, rows)
    if as_json:
        emit_json({"environments": [rows[n] for n in wanted], "pending_promotions": pending})
        return EXIT_OK
    console = ctx.console()
    table = Table(show_edge=False, title="Environments")
    table.add_column("environment", no_wrap=True)
    table.add_column("release", overflow="fold")
    table.add_column("status", overflow="fold")
    table.add_column("pinned inputs", overflow="fold", ratio=1)  # wraps, never cut
    table.add_column("when", no_wrap=True, min_width=len("2026-12-06T04:12:33Z"))
    table.add_column("by", overflow="fold")
    table.add_column("drift", no_wrap=True)  # a word and a time, each on its own line
    for name in wanted:
        row = rows[name]
        table.add_row(*_table_row(name, row))
        if row["error"]:
            print(f"warning: {name}: {row['error']}", file=sys.stderr)
    console.print(table, soft_wrap=False)  # fit the terminal: cells wrap, never overflow
    _notes(console, [rows[n] for n in wanted])
    if pending:
        console.print("Waiting for promotion:")
        for item in pending:
            console.print(
                f"  {item['source']} → {item['target']}: {item['variable']} "
                f"{_shown(item, 'target_value')} → {_shown(item, 'source_value')}",
                markup=False,
                highlight=False,
            )
    else:
        console.print("No versions waiting for promotion.")
    return EXIT_OK


def _notes(console: Any, rows: list[dict[str, Any]]) -> None:
    """Below the table: orphaned components and environments, destroyed environments."""
    for row in rows:
        for orphan in row.get("orphans") or []:
            console.print(orphan["message"], markup=False, highlight=False)
        if row.get("destroyed"):
            seq, name = row["destroyed"]["seq"], row["environment"]
            console.print(f"'{name}' was destroyed by release #{seq}; it has no current release.")


def _table_row(name: str, row: dict[str, Any]) -> tuple[str, ...]:
    """One environment's line of the status table."""
    current = row.get("current") or {}
    drift = row.get("drift") or {}
    release = f"#{current['seq']} {current['kind']}" if current else "-"
    if current.get("label"):
        release += f"\n{current['label']}"
    status = current.get("status", "-") if current else ("error" if row["error"] else "-")
    destroyed = row.get("destroyed") or {}
    if row.get("orphaned"):
        status = "orphaned (folder gone)"
    if destroyed:
        release, status = f"#{destroyed['seq']} destroy", "destroyed"
        current = {"finished_at": destroyed["finished_at"], "actor": destroyed["actor"]}
    return (
        name,
        release,
        status,
        _pins_cell(row, current),
        short_time(current.get("finished_at")),
        current.get("actor") or "",
        _drift_cell(drift, row),
    )


def _drift_cell(drift: dict[str, Any], row: dict[str, Any]) -> str:
    """The drift state that is current: a result older than the newest release is stale."""
    if not drift:
        return "-"
    checked = short_time(drift.get("checked_at")) or "?"  # on a line of its own: never cut
    if drift.get("stale"):
        newest = row.get("latest") or row.get("current") or row.get("destroyed") or {}
        since = f" #{newest['seq']}" if newest.get("seq") else ""
        return f"unknown (before{since})\n{checked}"  # checked before the newest release
    return f"{drift.get('status') or '?'}\n{checked}"


def _shown(item: dict[str, Any], key: str) -> str:
    """A value for people: "(unset)" where JSON has null or nothing, never Python's None."""
    if key not in item or item[key] is None:
        return UNSET
    return show(item[key])


def _pins_cell(row: dict[str, Any], current: dict[str, Any]) -> str:
    if row.get("components") is not None:
        from envman.graph.describe import describe_pins

        return describe_pins(row["components"])
    return describe_inputs(current.get("inputs") or {})
