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

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from envman.config.models import EnvironmentConfig
from envman.config.paths import ENVIRONMENT_FILE, ENVIRONMENTS_DIR, STATE_DIR
from envman.config.project import Environment, Project
from envman.errors import EnvmanError

if TYPE_CHECKING:
    from envman.graph.orphans import Orphan

INDEX = "environments.json"
_seen: set[tuple[str, str]] = set()
_lock = threading.Lock()


def index_path(root: Path) -> Path:
    return root / STATE_DIR / INDEX


def remember_environment(env: Environment) -> None:
    """Note ``env``'s backend in the index (once per process; a failure is never fatal: the
    index only helps find an environment after its folder is deleted)."""
    backend = env.config.backend
    key = (str(env.project_root), env.name)
    if backend is None or backend.type not in ("s3", "local") or key in _seen:
        return
    if not env.config_path.is_file():
        return
    entry: dict[str, Any] = {"backend": {"type": backend.type, "config": dict(backend.config)}}
    if env.config.aws is not None:
        entry["aws"] = env.config.aws.model_dump(exclude_none=True)
    with _lock:
        _seen.add(key)
        with contextlib.suppress(OSError, ValueError):
            _write_entry(index_path(env.project_root), env.name, entry)


def _write_entry(path: Path, name: str, entry: dict[str, Any]) -> None:
    index = _read(path)
    if index.get(name) == entry:
        return
    index[name] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps({"schema": 1, "environments": index}, indent=2, sort_keys=True))
    tmp.replace(path)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    found = data.get("environments") if isinstance(data, dict) else None
    return dict(found) if isinstance(found, dict) else {}


def gone_environments(project: Project) -> list[Environment]:
    """The indexed environments whose folder is gone, as environments that locate their
    ledger and state (nothing else of their configuration is known)."""
    found = []
    for name, entry in sorted(_read(index_path(project.root)).items()):
        directory = project.root / ENVIRONMENTS_DIR / name
        if (directory / ENVIRONMENT_FILE).is_file() or not isinstance(entry, dict):
            continue
        data = {"backend": {"__label__": entry.get("backend", {}).get("type"), **entry["backend"]}}
        data["backend"].pop("type", None)
        if "aws" in entry:
            data["aws"] = entry["aws"]
        try:
            config = EnvironmentConfig.model_validate(data)
        except (ValidationError, KeyError, TypeError, AttributeError):
            continue
        found.append(
            Environment(
                name=name,
                directory=directory,
                config_path=directory / ENVIRONMENT_FILE,
                config=config,
                stack_dir=project.root / "terraform",
                project_root=project.root,
            )
        )
    return found


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
