"""envman report --html DIR: the static dashboard (docs/dashboard.md).

Reads the ledgers only (records, drift results), never the state; writes owner-only files
through the redactor, as every report does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from envman.commands import AppContext
from envman.commands.metrics import measure
from envman.commands.status import drift_is_stale, pending_promotions
from envman.errors import EXIT_OK, UsageError
from envman.insight.dashboard.changes import ran_with
from envman.insight.dashboard.render import render
from envman.insight.dashboard.view import Dashboard, EnvView, Pending
from envman.insight.load import Loaded
from envman.insight.model import EnvMetrics
from envman.insight.window import WindowOptions, window_of
from envman.releases.models import Kind, Release
from envman.secrets.files import write_private
from envman.timeutil import now


def run_report(ctx: AppContext, folder: Path, names: list[str], options: WindowOptions) -> int:
    window = window_of(options)
    loaded, metrics = measure(ctx, names, window, drift=True)
    board = Dashboard(
        title=f"{ctx.project.root.name}: delivery",
        generated_at=now(),
        window=window,
        environments=tuple(_views(ctx, loaded, metrics)),
        problems=tuple(loaded.problems),
    )
    pages = render(board)
    _write(folder, pages)
    console = ctx.console()
    console.print(
        f"Dashboard written to {folder / 'index.html'} "
        f"({len(board.environments)} environment(s), {len(pages)} page(s)).",
        markup=False,
    )
    return EXIT_OK


def _write(folder: Path, pages: dict[str, str]) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in pages.items():
            write_private(folder / name, text)
    except OSError as exc:
        raise UsageError(
            f"cannot write the dashboard to {folder}: {exc.strerror}",
            hint="give a writable --html DIR",
        ) from None


def _views(ctx: AppContext, loaded: Loaded, metrics: list[EnvMetrics]) -> list[EnvView]:
    project = ctx.project
    rows = {name: _row(ctx, loaded, name) for name in loaded.histories}
    pending = pending_promotions(ctx, rows)
    promoted = {
        v
        for e in project.environments()
        if e.config.promotion
        for v in e.config.promotion.variables
    }
    views = []
    for m in metrics:
        history = loaded.histories[m.environment]
        current = _current(history.releases)
        latest = history.releases[-1] if history.releases else None
        drift = loaded.drift.get(m.environment)
        runs = ran_with(current) if current is not None else {}
        views.append(
            EnvView(
                name=m.environment,
                metrics=m,
                releases=history.releases,
                description=project.environment(m.environment).config.description,
                source=history.source,
                current=current,
                latest=latest,
                versions={k: v for k, v in runs.items() if k in promoted}
                if promoted
                else dict(current.inputs if current else {}),
                drift=drift,
                drift_stale=drift is not None and drift_is_stale(drift.get("checked_at"), latest),
                components=_components(rows[m.environment], current),
                pending=tuple(
                    Pending(
                        p["source"], p["variable"], p.get("target_value"), p.get("source_value")
                    )
                    for p in pending
                    if p["target"] == m.environment
                ),
            )
        )
    return views


def _current(releases: tuple[Release, ...]) -> Release | None:
    for release in reversed(releases):
        if release.succeeded:
            return None if release.kind == Kind.DESTROY else release
    return None


def _row(ctx: AppContext, loaded: Loaded, name: str) -> dict[str, Any]:
    """What `envman status` knows of an environment, from the records already read."""
    current = _current(loaded.histories[name].releases)
    row: dict[str, Any] = {"current": None}
    if current is not None:
        row["current"] = {"seq": current.seq, "inputs": current.inputs, "values": current.values}
    if ctx.project.settings.component:
        from envman.graph.describe import component_status

        env = ctx.project.environment(name)
        row["components"] = component_status(ctx.project, env, loaded.ledgers[name])
    return row


def _components(row: dict[str, Any], current: Release | None) -> dict[str, Any]:
    """What runs in each component; a single stack is one component without a name."""
    if "components" in row:
        return dict(row["components"] or {})
    if current is None:
        return {}
    return {"": {"seq": current.seq, "inputs": current.inputs, "finished_at": current.finished_at}}
