"""Environments whose folder is gone while their ledger and state remain (docs/operations.md).

The ledger's location is in the environment's backend block, which was in the deleted folder.
envman keeps a small index, `.envman/environments.json`, of every environment whose ledger it
opened in this checkout, with the backend and aws settings that locate its ledger and state
(never a credential: region, profile, role and endpoint only). An environment listed there
whose `environments/<env>/environment.hcl` no longer exists, and whose ledger still has a
component in place (or state at its location), is an orphaned environment.

Limits: the index lives in `.envman/` of one checkout; a fresh clone (a CI runner) only knows
the environments it has opened itself. Remove an entry by hand to stop envman looking for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from envman.config.project import Environment, Project
from envman.errors import EnvmanError
from envman.releases.known import gone_environments

if TYPE_CHECKING:
    from envman.graph.orphans import Orphan


def gone_environment(project: Project, name: str) -> Environment | None:
    return next((e for e in gone_environments(project) if e.name == name), None)


def gone_orphans(project: Project, env: Environment) -> list[Orphan]:
    """What the gone environment still has: every component in place or with state."""
    from envman.graph.orphans import OrphanReason, find_orphans
    from envman.releases.ledger import Ledger
    from envman.releases.locate import store_for

    ledger = Ledger(store_for(env), env.name)
    return find_orphans(project, env, ledger, OrphanReason.ENVIRONMENT_GONE)


def orphaned_environments(project: Project) -> dict[str, list[Orphan] | str]:
    """Each gone environment that still has something: its orphans, or why it cannot be read."""
    found: dict[str, list[Orphan] | str] = {}
    for env in gone_environments(project):
        try:
            orphans = gone_orphans(project, env)
        except EnvmanError as exc:
            found[env.name] = str(exc)
            continue
        if orphans:
            found[env.name] = orphans
    return found
