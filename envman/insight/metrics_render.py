"""`envman metrics` output: JSON, text and markdown (docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from envman.insight.model import EnvMetrics, LeadBasis, Window
from envman.timeutil import format_duration, iso


def metrics_json(metrics: Sequence[EnvMetrics], window: Window) -> dict[str, Any]:
    return {
        "window": {"since": iso(window.since), "until": iso(window.until), "days": window.days},
        "environments": [_env_json(m) for m in metrics],
        "definitions": "docs/metrics.md",
    }


def _env_json(m: EnvMetrics) -> dict[str, Any]:
    lead, rate, restore, freq = m.lead_time, m.failure_rate, m.restore, m.frequency
    return {
        "environment": m.environment,
        "destroyed": m.destroyed,
        "deployment_frequency": {
            "deployments": freq.count,
            "per_day": round(freq.per_day, 4),
            "per_week": round(freq.per_day * 7, 3),
            "band": freq.band,
        },
        "lead_time": {
            "median_seconds": lead.median_seconds,
            "samples": lead.samples,
            "from_commits": lead.from_commits,
            "from_first_release": lead.from_first_release,
            "without_new_commits": lead.without_new_commits,
            "basis": lead.basis,
            "band": lead.band,
        },
        "change_failure_rate": {
            "rate": None if rate.rate is None else round(rate.rate, 4),
            "failed": rate.failed,
            "deployments": rate.deployments,
            "band": rate.band,
        },
        "time_to_restore": {
            "median_seconds": restore.median_seconds,
            "restored": restore.restored,
            "open": restore.open,
            "band": restore.band,
        },
        "failures": [
            {
                "seq": f.seq,
                "reason": f.reason,
                "at": iso(f.at) if f.at else None,
                "restored_by": f.restored_by,
                "restore_seconds": f.restore_seconds,
            }
            for f in m.failures
        ],
        "also": {
            "rollbacks": m.rollbacks,
            "destroys": m.destroys,
            "not_counted": m.not_counted,
            "audit_entries": m.audit_entries,
            "clock_overrides": m.clock_overrides,
        },
        "weekly": [{"week": w, "deployments": d, "failed": f} for w, d, f in m.weekly],
        "notes": notes(m),
    }


def notes(m: EnvMetrics) -> list[str]:
    """What the reader must know to trust the figures."""
    found: list[str] = []
    lead = m.lead_time
    if lead.from_first_release:
        found.append(
            f"lead time of {lead.from_first_release} deployment(s) measured from the first "
            "release of their values in the promotion chain: their commits are not in this "
            "checkout (or not recorded)"
        )
    if m.clock_overrides:
        found.append(
            f"{m.clock_overrides} release(s) ran under a replaced clock (ENVMAN_NOW): "
            "placed at the real time they recorded"
        )
    if m.audit_entries:
        found.append(f"{m.audit_entries} `envman tf` audit entr(ies) are not deployments")
    if m.not_counted:
        found.append(f"{m.not_counted} release(s) still applying or interrupted: not counted")
    if m.destroyed:
        found.append("the environment is destroyed (its newest successful release is a destroy)")
    return found


def duration(seconds: float | None) -> str:
    return "-" if seconds is None else format_duration(timedelta(seconds=seconds))


def figures(m: EnvMetrics) -> list[tuple[str, str, str, str]]:
    """(key, figure, counts behind it, band) for each of the four keys."""
    lead, rate, restore, freq = m.lead_time, m.failure_rate, m.restore, m.frequency
    basis = "" if lead.basis in (LeadBasis.NONE,) else f"; {lead.basis}"
    pct = "-" if rate.rate is None else f"{rate.rate * 100:.0f}%"
    return [
        (
            "deployment frequency",
            f"{freq.per_day * 7:.2f}/week",
            f"{freq.count} deployment(s)",
            freq.band or "-",
        ),
        (
            "lead time for changes",
            duration(lead.median_seconds),
            f"median of {lead.samples} sample(s){basis}",
            lead.band or "-",
        ),
        (
            "change failure rate",
            pct,
            f"{rate.failed} of {rate.deployments} deployment(s) failed",
            rate.band or "-",
        ),
        (
            "time to restore",
            duration(restore.median_seconds),
            f"median of {restore.restored} restore(s), {restore.open} open",
            restore.band or "-",
        ),
    ]


def failure_lines(m: EnvMetrics) -> list[str]:
    lines = []
    for f in m.failures:
        after = (
            f"restored by #{f.restored_by} after {duration(f.restore_seconds)}"
            if f.restored_by is not None
            else "not restored yet"
        )
        lines.append(f"#{f.seq} {f.reason}; {after}")
    return lines


def metrics_text(metrics: Sequence[EnvMetrics], window: Window) -> str:
    lines = [f"DORA metrics, {iso(window.since)} to {iso(window.until)} ({window.days:g} days)"]
    for m in metrics:
        lines += ["", m.environment + (" (destroyed)" if m.destroyed else "")]
        rows = figures(m)
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        for row in rows:
            cells = [row[i].ljust(widths[i]) for i in range(3)]
            lines.append(f"  {'  '.join(cells)}  band: {row[3]}")
        lines += [f"  failed: {line}" for line in failure_lines(m)]
        lines += [f"  note: {line}" for line in notes(m)]
    lines += ["", "Definitions and bands: docs/metrics.md"]
    return "\n".join(lines) + "\n"


def metrics_markdown(metrics: Sequence[EnvMetrics], window: Window) -> str:
    lines = [
        f"## DORA metrics, {iso(window.since)} to {iso(window.until)} ({window.days:g} days)",
    ]
    for m in metrics:
        lines += ["", f"### {m.environment}" + (" (destroyed)" if m.destroyed else ""), ""]
        lines += ["| key | figure | counts | band |", "|---|---|---|---|"]
        lines += [f"| {k} | {v} | {c} | {b} |" for k, v, c, b in figures(m)]
        extra = [f"- failed: {line}" for line in failure_lines(m)]
        extra += [f"- note: {line}" for line in notes(m)]
        lines += ["", *extra] if extra else []
    lines += ["", "Definitions and bands: docs/metrics.md"]
    return "\n".join(lines) + "\n"
