"""`envman changelog ENV [--from REF] [--to REF]`: release notes from the ledger
(docs/insight.md). Per release: label, seq, kind, status, who, when, the values it changed
(old → new, against what ran before it), the commits it carried (git, when the checkout has
them) and its verification. Read only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envman.config.project import Environment
from envman.insight.gitlog import commits_between
from envman.insight.sides import Ledgers, component_names, release_brief
from envman.insight.values import changes, entry_values, running_values
from envman.releases.ledger import Ledger
from envman.releases.models import ComponentStatus, Release


@dataclass(frozen=True)
class Span:
    """The releases after ``after`` (exclusive) up to ``upto`` (inclusive); None: no bound."""

    after: Release | None = None
    upto: Release | None = None


def changelog(ledgers: Ledgers, env: Environment, span: Span) -> dict[str, Any]:
    """The changelog document (the `--json` output), newest release first."""
    ledger = ledgers.of(env.name)
    names = component_names(ledgers.project, env)
    low = span.after.seq if span.after is not None else 0
    high = span.upto.seq if span.upto is not None else None
    releases = [r for r in ledger.newest_first(None if high is None else high + 1) if r.seq > low]
    return {
        "environment": env.name,
        "from": release_brief(span.after),
        "to": release_brief(span.upto),
        "releases": [_notes(ledgers, ledger, names, r) for r in releases],
    }


def _notes(ledgers: Ledgers, ledger: Ledger, names: list[str], release: Release) -> dict[str, Any]:
    before = running_values(ledger, names, below=release.seq, in_state=True)
    after = dict(before.values)
    sensitive = set(before.sensitive)
    for component, entry in release.entries().items():
        if entry.status != ComponentStatus.DESTROYED:
            entry_values(entry, component, after, sensitive)
    changed = [c.to_json() for c in changes(before.values, after) if c.name not in sensitive]
    previous = ledger.previous_successful(release.seq)
    old = ledgers.carried_commit(previous) if previous is not None else None
    commits = commits_between(ledgers.project.root, old, ledgers.carried_commit(release))
    brief = release_brief(release) or {}
    return {**brief, "changes": changed, "commits": commits.to_json()}
