"""What plan, apply, status, list and validate say about orphaned components and environments
(docs/operations.md "Orphans")."""

from __future__ import annotations

from typing import Any

from envman.config.project import Environment, Project
from envman.errors import EnvmanError
from envman.flow.review import Planned
from envman.graph.orphans import find_orphans
from envman.graph.plan import GraphTarget
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.say import Say, say_on_stderr


def say_orphans(
    target: GraphTarget, ledger: Ledger, changed: str | None = None, say: Say = say_on_stderr
) -> list[Planned]:
    """plan and apply: one line per orphaned component of the environment (with --changed
    BASE, also each component taken at BASE and no longer); their review sections."""
    from envman.graph.removed import removed_since

    env = target.env
    orphans = {o.component: o for o in find_orphans(target.project, env, ledger)}
    for orphan in orphans.values():
        say(orphan.line())
    sections = [Planned(None, n, note=f"will be orphaned: {o.line()}") for n, o in orphans.items()]
    for name in removed_since(target, changed) if changed is not None else []:
        if name in orphans:
            continue
        line = f"component '{name}' was removed since {changed}: nothing in its state here"
        say(line)
        sections.append(Planned(None, name, note=line))
    return sections


def status_orphans(project: Project, env: Environment, ledger: Ledger) -> list[dict[str, Any]]:
    """status: the environment's orphaned components (docs/operations.md "Orphans")."""
    try:
        return [o.to_json() for o in find_orphans(project, env, ledger)]
    except EnvmanError as exc:
        say_on_stderr(f"warning: {env.name}: orphaned components not checked: {exc}")
        return []


def gone_list_rows(project: Project) -> list[dict[str, Any]]:
    """list: the environments whose folder is gone while their ledger or state remain."""
    from envman.graph.gone import orphaned_environments
    from envman.releases.known import gone_environments

    backends = {e.name: e.config.backend for e in gone_environments(project)}
    rows = []
    for name, found in orphaned_environments(project).items():
        backend = backends.get(name)
        names = [o.component for o in found] if not isinstance(found, str) else []
        text = ", ".join(n or "its stack" for n in names) or "unknown"
        rows.append(
            {
                "name": name,
                "description": f"ORPHANED: folder gone; state remains: {text} — "
                f"envman destroy {name} --confirm {name}, or envman forget {name} --reason ...",
                "stack": None,
                "backend": backend.type if backend is not None else None,
                "promotion_from": None,
                "protected": None,
                "emulator": None,
                "error": found if isinstance(found, str) else None,
                "orphaned": names,
            }
        )
    return rows


def gone_rows(project: Project, names: list[str]) -> dict[str, dict[str, Any]]:
    """status: a row per environment whose folder is gone while its ledger or state remain
    (those named, or all)."""
    from envman.graph.gone import orphaned_environments

    rows: dict[str, dict[str, Any]] = {}
    for name, found in orphaned_environments(project).items():
        if names and name not in names:
            continue
        row: dict[str, Any] = {"environment": name, "current": None, "drift": None}
        row["error"] = found if isinstance(found, str) else None
        row["orphaned"] = True
        row["orphans"] = [o.to_json() for o in found] if not isinstance(found, str) else []
        rows[name] = row
    return rows


def orphan_warnings(project: Project, names: list[str]) -> list[str]:
    """validate: a line per orphaned component of the environments named (all: the gone ones
    too); a ledger that cannot be read is not validate's problem and is skipped."""
    from envman.graph.gone import orphaned_environments

    lines: list[str] = []
    for name in names or project.environment_names():
        try:
            env = project.environment(name)
            if project.settings.component:
                ledger = Ledger(store_for(env), env.name)
                lines.extend(o.line() for o in find_orphans(project, env, ledger))
        except EnvmanError:
            continue
    for name, found in orphaned_environments(project).items():
        if not isinstance(found, str) and (name in names or not names):
            lines.extend(o.line() for o in found)
    return lines
