"""envman diff SOURCE TARGET: what a promotion of SOURCE into TARGET would carry."""

from __future__ import annotations

from typing import Any

from envman.commands import AppContext, emit_json, emit_text
from envman.commands.status import DRIFT_DOC, drift_is_stale, state_moved_since
from envman.config.project import Environment
from envman.errors import EXIT_OK, UsageError
from envman.insight.compare import compare
from envman.insight.render import InsightFormat, diff_text
from envman.insight.sides import Ledgers


def run_diff(ctx: AppContext, source: str, target: str, fmt: InsightFormat) -> int:
    project = ctx.project
    source_env, target_env = project.environment(source), project.environment(target)
    if source_env.name == target_env.name:
        raise UsageError(f"diff {source} {target}: the same environment twice")
    ledgers = Ledgers(project)

    def drift(env: Environment) -> dict[str, Any] | None:
        ledger = ledgers.of(env.name)
        doc = ledger.read_doc(DRIFT_DOC)
        if doc is None:
            return None
        checked = doc.get("checked_at")
        stale = drift_is_stale(checked, ledger.latest()) or state_moved_since(checked, ledger.store)
        found = {k: doc.get(k) for k in ("status", "checked_at", "counts")}
        return {**found, "stale": stale}

    document = compare(ledgers, source_env, target_env, drift)
    if fmt == InsightFormat.JSON:
        emit_json(document)
    else:
        emit_text(diff_text(document, markdown=fmt == InsightFormat.MARKDOWN))
    return EXIT_OK
