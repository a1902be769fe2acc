"""What each release changed, for the environment page's changelog: values old → new against
the release before it that went live. Kept a function of the records so the changelog of
`envman changelog` can take its place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from envman.releases.models import Release, Status

LIVE = frozenset({Status.APPLIED, Status.VERIFIED, Status.ROLLED_BACK, Status.VERIFY_FAILED})


@dataclass(frozen=True)
class Change:
    release: Release
    changed: tuple[tuple[str, Any, Any], ...]  # (variable, old, new)


def ran_with(release: Release) -> dict[str, Any]:
    """The values a release ran with: every recorded value (sensitive ones as a marker), or
    only its pins in older records; with components, ``component.variable``."""
    found: dict[str, Any] = {}
    for component, entry in release.entries().items():
        prefix = f"{component}." if component else ""
        if entry.values is None:
            found.update({prefix + k: v for k, v in entry.inputs.items()})
            continue
        for name, item in entry.values.items():
            if item.get("source") == "component":
                continue  # wired from another component's state: not a value of this release
            found[prefix + name] = item.get("value", {"sensitive": True})
    return found


def changelog(releases: Sequence[Release], limit: int) -> list[Change]:
    """Newest first, at most ``limit``: the releases that went live and what they changed."""
    changes: list[Change] = []
    before: dict[str, Any] | None = None
    for release in releases:
        if release.status not in LIVE:
            continue
        now = ran_with(release)
        old = before or {}
        changed = tuple(
            (k, old.get(k), now.get(k))
            for k in sorted(set(old) | set(now))
            if old.get(k) != now.get(k)
        )
        changes.append(Change(release, changed if before is not None else ()))
        before = now
    return list(reversed(changes))[:limit]
