"""One environment as the insight commands see it: its ledger, components, current release,
the values it runs with, the commit its code came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from envman.config.project import Environment, Project
from envman.errors import EnvmanError
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import IMPLICIT, Kind, Release

MAX_HOPS = 8  # promotions followed back to the commit that built what they carried


def component_names(project: Project, env: Environment) -> list[str]:
    """The environment's components; a single stack is the one implicit component."""
    if not project.settings.component:
        return [IMPLICIT]
    from envman.graph.config import load_components
    from envman.graph.environment import environment_components

    return list(environment_components(project, env, load_components(project)))


@dataclass
class Ledgers:
    """The ledgers of a project's environments, each opened once (its records cached)."""

    project: Project
    opened: dict[str, Ledger] = field(default_factory=dict)

    def of(self, name: str) -> Ledger:
        if name not in self.opened:
            env = self.project.environment(name)
            self.opened[name] = Ledger(store_for(env), env.name)
        return self.opened[name]

    def carried_commit(self, release: Release) -> str | None:
        """The commit the release's code came from: a promotion's is its source release's
        (followed back), a rollback's the release it went back to; else its own checkout's."""
        for _ in range(MAX_HOPS):
            origin = self._origin(release)
            if origin is None:
                break
            release = origin
        return release.git.commit

    def _origin(self, release: Release) -> Release | None:
        try:
            if release.kind == Kind.PROMOTE and release.source and release.source.seq:
                return self.of(release.source.environment).get(release.source.seq)
            if release.kind == Kind.ROLLBACK and release.target_seq:
                return self.of(release.environment).get(release.target_seq)
        except EnvmanError:  # a source ledger gone or unreadable: the release's own commit
            return None
        return None


def release_brief(release: Release | None) -> dict[str, Any] | None:
    """A release as the insight documents show it."""
    if release is None:
        return None
    verification = release.verification or {}
    return {
        "seq": release.seq,
        "label": release.label,
        "kind": release.kind.value,
        "status": release.status.value,
        "actor": release.actor,
        "started_at": release.started_at,
        "finished_at": release.finished_at,
        "verified": verification.get("ok") if verification else None,
        "source": release.source.model_dump(exclude_none=True) if release.source else None,
        "target_seq": release.target_seq,
        "git": release.git.model_dump(mode="json"),
    }
