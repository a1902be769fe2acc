"""Table cells of the dashboard, as escaped HTML."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from envman.insight.dashboard.html import esc, state
from envman.insight.dashboard.view import EnvView
from envman.insight.metrics_render import duration
from envman.insight.timing import finished
from envman.releases.models import Release, Status

OK_STATUSES = frozenset({Status.APPLIED, Status.VERIFIED})
BAD_STATUSES = frozenset({Status.FAILED, Status.VERIFY_FAILED, Status.PARTIAL})
SHORT = 120


def page_name(env: str) -> str:
    return "env-" + re.sub(r"[^A-Za-z0-9_.-]", "_", env) + ".html"


def label_of(release: Release) -> str | None:
    """The release's label (``--label``, or its semantic-version tag), when it has one."""
    label = getattr(release, "label", None) or release.unknown_fields.get("label")
    return label if isinstance(label, str) and label else None


def value_text(value: Any) -> str:
    """A recorded value for people, never a sensitive one (recorded as a marker only)."""
    if isinstance(value, dict) and value.get("sensitive"):
        return "(sensitive)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def values_cell(values: dict[str, Any]) -> str:
    if not values:
        return "-"
    return "<br>".join(
        f"<code>{esc(k)}</code> = <code>{esc(value_text(v))}</code>"
        for k, v in sorted(values.items())
    )


def status_cell(status: str) -> str:
    if status in OK_STATUSES:
        return state(status, "ok")
    if status in BAD_STATUSES:
        return state(status, "bad")
    return state(status, "warn")


def release_cell(view: EnvView) -> str:
    current = view.current
    if view.metrics.destroyed:
        return state("destroyed", "warn")
    if current is None:
        return state("none", "none")
    label = label_of(current)
    return f"#{current.seq} {esc(current.kind)}" + (f" <code>{esc(label)}</code>" if label else "")


def verification_cell(release: Release | None) -> str:
    check = release.verification if release is not None else None
    if not check:
        return state("not run", "none")
    count = len(check.get("checks") or [])
    if check.get("ok"):
        return state("passed", "ok") + f" ({count} check(s))"
    return state("failed", "bad") + f" ({count} check(s))"


def drift_cell(view: EnvView) -> str:
    doc = view.drift
    if not doc:
        return state("not checked", "none")
    when = esc(doc.get("checked_at") or "?")
    if view.drift_stale:
        return state("unknown", "warn") + f" (checked {when}, before the newest release)"
    status = str(doc.get("status") or "?")
    count = int((doc.get("counts") or {}).get("findings") or 0)
    kind = {"in_sync": "ok", "pending": "warn"}.get(status, "bad")
    return state(status, kind) + f" {count} finding(s), {when}"


def pending_cell(view: EnvView) -> str:
    if not view.pending:
        return "-"
    return "<br>".join(
        f"<code>{esc(p.variable)}</code> {esc(value_text(p.current))} → "
        f"{esc(value_text(p.new))} (from {esc(p.source)})"
        for p in view.pending
    )


def age_cell(release: Release | None, now: datetime) -> str:
    when = finished(release) if release is not None else None
    if when is None:
        return "-"
    return esc(duration(max((now - when).total_seconds(), 0.0)))


def origin_text(release: Release) -> str:
    if release.source is not None:
        return f"from {release.source.environment}#{release.source.seq}"
    if release.target_seq is not None:
        return f"to #{release.target_seq}"
    return ""
