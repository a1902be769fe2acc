"""The pages: index.html (the environments matrix and the DORA keys and charts) and one page
per environment (timeline, changelog, drift findings, components)."""

from __future__ import annotations

from collections.abc import Sequence

from envman.insight.dashboard import cells
from envman.insight.dashboard.changes import changelog
from envman.insight.dashboard.charts import weekly_chart
from envman.insight.dashboard.html import esc, page, table
from envman.insight.dashboard.view import Dashboard, EnvView
from envman.insight.metrics_render import figures, notes
from envman.timeutil import iso

TIMELINE = 200  # releases shown on an environment's page (the rest: envman history ENV)
CHANGELOG = 50
FINDINGS = 200


def index_page(board: Dashboard) -> str:
    body = [
        f"<header><h1>{esc(board.title)}</h1>",
        f"<p>Generated {esc(iso(board.generated_at))} from the release ledgers. "
        f"Delivery figures over {esc(iso(board.window.since))} to "
        f"{esc(iso(board.window.until))} ({board.window.days:g} days).</p></header>",
        matrix(board),
        dora_table(board.environments),
        '<section aria-labelledby="charts"><h2 id="charts">Deployments per week</h2>',
        "<p>Each bar is one week of the window; the hatched part is the deployments that "
        "failed.</p>",
        '<div class="charts">',
        *(_figure(view) for view in board.environments),
        "</div></section>",
        _footer(board.problems),
    ]
    return page(f"{board.title}: environments", "\n".join(body))


def matrix(board: Dashboard) -> str:
    head = [
        "environment",
        "release",
        "versions",
        "status",
        "verification",
        "drift",
        "pending promotion",
        "age",
    ]
    rows = []
    for view in board.environments:
        status = cells.status_cell(view.current.status) if view.current else "-"
        latest = view.latest
        if latest is not None and (view.current is None or latest.seq != view.current.seq):
            status += f"<br>newest #{latest.seq} {esc(latest.kind)}: " + cells.status_cell(
                latest.status
            )
        rows.append(
            [
                f'<a href="{esc(cells.page_name(view.name))}">{esc(view.name)}</a>',
                cells.release_cell(view),
                cells.values_cell(view.versions),
                status,
                cells.verification_cell(view.current),
                cells.drift_cell(view),
                cells.pending_cell(view),
                cells.age_cell(view.current, board.generated_at),
            ]
        )
    return table("Environments", head, rows)


def dora_table(views: Sequence[EnvView]) -> str:
    head = [
        "environment",
        "deployment frequency",
        "lead time for changes",
        "change failure rate",
        "time to restore",
    ]
    rows = []
    for view in views:
        keys = figures(view.metrics)
        rows.append([esc(view.name), *(_key_cell(*k) for k in keys)])
    return (
        '<section aria-labelledby="dora"><h2 id="dora">Delivery (DORA keys)</h2>'
        + table("The four DORA keys per environment, with the counts behind them", head, rows)
        + '<p class="muted">Definitions, bands and sources: docs/metrics.md in the envman '
        "repository.</p></section>"
    )


def _key_cell(key: str, figure: str, counts: str, band: str) -> str:
    return (
        f"<strong>{esc(figure)}</strong> · band <em>{esc(band)}</em><br>"
        f'<span class="muted">{esc(counts)}</span>'
    )


def _figure(view: EnvView) -> str:
    return (
        f"<figure><figcaption>{esc(view.name)}</figcaption>"
        f"{weekly_chart(view.name, view.metrics.weekly)}</figure>"
    )


def _footer(problems: Sequence[str]) -> str:
    lines = "".join(f"<li>{esc(p)}</li>" for p in problems)
    said = f"<h2>Problems reading the ledgers</h2><ul>{lines}</ul>" if problems else ""
    return f"<footer>{said}<p>Made by <code>envman report --html</code>.</p></footer>"


def env_page(board: Dashboard, view: EnvView) -> str:
    title = f"{view.name}" + (" (destroyed)" if view.metrics.destroyed else "")
    intro = esc(view.description) + (f" Promoted from {esc(view.source)}." if view.source else "")
    body = [
        f"<header><h1>{esc(title)}</h1><p>{intro}</p></header>",
        table(
            "Now",
            ["environment", "release", "status", "verification", "drift", "pending promotion"],
            [
                [
                    esc(view.name),
                    cells.release_cell(view),
                    cells.status_cell(view.current.status) if view.current else "-",
                    cells.verification_cell(view.current),
                    cells.drift_cell(view),
                    cells.pending_cell(view),
                ]
            ],
        ),
        dora_table([view]),
        _figure(view),
        "".join(f'<p class="muted">{esc(n)}</p>' for n in notes(view.metrics)),
        components(view),
        findings(view),
        changes(view),
        timeline(view),
    ]
    return page(f"{board.title}: {view.name}", "\n".join(body))


def components(view: EnvView) -> str:
    rows = [
        [
            esc(name or "(the stack)"),
            f"#{esc(item.get('seq'))}" if item else "-",
            cells.values_cell(item.get("inputs") or {}) if item else "never applied",
            esc(item.get("finished_at") or "") if item else "",
        ]
        for name, item in sorted(view.components.items())
    ]
    return table(
        "Components: what runs in each", ["component", "release", "pinned inputs", "applied"], rows
    )


def findings(view: EnvView) -> str:
    found = list((view.drift or {}).get("findings") or [])[:FINDINGS]
    rows = []
    for f in found:
        what = (
            "(sensitive)"
            if f.get("sensitive")
            else (f"{cells.value_text(f.get('expected'))} → {cells.value_text(f.get('actual'))}")
        )
        where = f"{f['component']}: " if f.get("component") else ""
        rows.append(
            [
                esc(where + str(f.get("address"))),
                esc(f.get("attribute")),
                esc(f.get("change") or "changed"),
                esc(what),
                "new" if f.get("new") else "seen before",
            ]
        )
    return table(
        "Drift findings of the last check",
        ["resource", "attribute", "change", "recorded → real", "seen"],
        rows,
    )


def changes(view: EnvView) -> str:
    items = []
    for change in changelog(view.releases, CHANGELOG):
        release = change.release
        label = cells.label_of(release)
        what = (
            "; ".join(
                f"{esc(k)} {esc(cells.value_text(old))} → {esc(cells.value_text(new))}"
                for k, old, new in change.changed
            )
            or "no value changed"
        )
        name = f" <code>{esc(label)}</code>" if label else ""
        items.append(
            f"<li><strong>#{release.seq}</strong>{name} {esc(release.kind)} by "
            f"{esc(release.actor or '?')}, {esc(release.finished_at or '')}: {what}</li>"
        )
    listed = "\n".join(items) or "<li>none</li>"
    return f'<section aria-labelledby="changelog"><h2 id="changelog">Changelog</h2><ol reversed>{listed}</ol></section>'


def timeline(view: EnvView) -> str:
    shown = list(reversed(view.releases))[:TIMELINE]
    rows = [
        [
            f"#{r.seq}",
            esc(r.finished_at or r.started_at or ""),
            esc(r.kind),
            f"<code>{esc(cells.label_of(r))}</code>" if cells.label_of(r) else "-",
            cells.status_cell(r.status),
            esc(cells.origin_text(r)),
            esc(r.actor or ""),
            cells.verification_cell(r),
        ]
        for r in shown
    ]
    more = len(view.releases) - len(shown)
    caption = "Release timeline, newest first" + (
        f" (the newest {len(shown)}; {more} older: envman history {view.name})" if more else ""
    )
    return table(
        caption,
        ["release", "when", "kind", "label", "status", "origin", "by", "verification"],
        rows,
    )
