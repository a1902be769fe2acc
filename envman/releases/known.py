"""The index of environments envman has opened in this checkout, `.envman/environments.json`:
each one's backend and aws settings (region, profile, role, endpoint — never a credential),
so an environment whose folder was deleted can still be found with its ledger and state
(docs/operations.md "Orphans"; `graph/gone.py` reads it)."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from envman.config.models import EnvironmentConfig
from envman.config.paths import ENVIRONMENT_FILE, ENVIRONMENTS_DIR, STATE_DIR
from envman.config.project import Environment, Project

INDEX = "environments.json"
# the backend settings kept: where the state and ledger are, never a credential
KEPT = frozenset(
    {"bucket", "key", "region", "path", "use_lockfile", "encrypt", "kms_key_id", "profile"}
    | {"role_arn", "endpoint", "use_path_style", "force_path_style", "workspace_key_prefix"}
)
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
    kept = {k: v for k, v in backend.config.items() if k in KEPT}
    entry: dict[str, Any] = {"backend": {"type": backend.type, "config": kept}}
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
    text = json.dumps({"schema": 1, "environments": index}, indent=2, sort_keys=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
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
