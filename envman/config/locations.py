"""Where an environment keeps its state and its ledger, and two environments that coincide.

Two environments (or two components of them) whose states are the same object would apply
over each other's resources, and the one's release would become the other's current one. The
locations compared: each state object (a local file after resolution, or S3 bucket + key, with
``{component}`` filled in for each component the environment takes) and the ledger beside it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from envman.config.contained import COMPONENT_PLACEHOLDER
from envman.config.hclfile import load_hcl
from envman.config.models import EnvironmentConfig
from envman.config.paths import CONFIG_CACHE, PROJECT_FILE, STATE_DIR
from envman.errors import ConfigError

LEDGER_SUFFIX = ".releases"  # the ledger beside the state: <key>.releases/, <path>.releases/


class Environment(Protocol):
    """What this module reads of an environment (config.project.Environment)."""

    @property
    def name(self) -> str: ...

    @property
    def config(self) -> EnvironmentConfig: ...

    @property
    def config_path(self) -> Path: ...

    @property
    def project_root(self) -> Path: ...

    def backend_config(self) -> dict[str, Any]: ...

    def ledger_backend_config(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Location:
    """One state object or ledger: what it is, where it lives, whose it is."""

    kind: str  # "state" or "ledger"
    where: str  # s3://bucket/key or an absolute path
    environment: str
    component: str | None = None

    def owner(self) -> str:
        part = f" (component '{self.component}')" if self.component else ""
        return f"environment '{self.environment}'{part}"


def _where(
    backend_type: str, values: dict[str, Any], component: str | None, suffix: str = ""
) -> str | None:
    """The object's location as envman and terraform reach it (``suffix``: the ledger's)."""
    name = "key" if backend_type == "s3" else "path" if backend_type == "local" else None
    value = values.get(name) if name else None
    if not isinstance(value, str) or not value:
        return None
    if component is not None:
        value = value.replace(COMPONENT_PLACEHOLDER, component)
    value += suffix
    if backend_type == "s3":
        return f"s3://{values.get('bucket')}/{value}"
    return os.path.normpath(os.path.abspath(value))


def locations(env: Environment, components: Sequence[str]) -> list[Location]:
    """The state objects (one per component, or the one stack's) and the ledger of ``env``."""
    backend = env.config.backend
    if backend is None:
        return []
    found: list[Location] = []
    each: list[str | None] = [*components] or [None]
    for component in each:
        where = _where(backend.type, env.backend_config(), component)
        if where is not None:
            found.append(Location("state", where, env.name, component))
    ledger = _where(backend.type, env.ledger_backend_config(), None, LEDGER_SUFFIX)
    if ledger is not None:
        found.append(Location("ledger", ledger, env.name))
    return found


def components_taken(env: Environment, declared: Sequence[str]) -> list[str]:
    """The components ``env`` takes: its `components = [...]`, else every declared one."""
    chosen = env.config.components
    return list(declared) if chosen is None else [n for n in chosen if n in declared]


def check_unshared(
    env: Environment, others: Iterable[Environment], declared: Sequence[str]
) -> None:
    """Refuse ``env`` when a state object or the ledger of another environment is its own."""
    mine = {(loc.kind, loc.where): loc for loc in locations(env, components_taken(env, declared))}
    for other in others:
        if other.name == env.name:
            continue
        for theirs in locations(other, components_taken(other, declared)):
            own = mine.get((theirs.kind, theirs.where))
            if own is not None:
                raise _shared(env, own, theirs)


def _shared(env: Environment, own: Location, theirs: Location) -> ConfigError:
    if own.kind == "state":
        what, harm = "state", "one would apply over the other's resources"
    else:
        what, harm = "release ledger", "the one's releases would count as the other's"
    path, line = _backend_line(env)
    return ConfigError(
        f"{own.owner()} and {theirs.owner()} have the same {what} {own.where}: {harm}",
        path=path,
        line=line,
        hint="give each environment its own backend key or path",
    )


def _backend_line(env: Environment) -> tuple[str, int | None]:
    """The file and line of the backend's key or path: the environment's, else envman.hcl's."""
    cache = env.project_root / STATE_DIR / CONFIG_CACHE
    doc = load_hcl(env.config_path, cache_dir=cache)
    name = "key" if env.config.backend is not None and env.config.backend.type == "s3" else "path"
    line = doc.line_of(("backend", name))
    project_file = env.project_root / PROJECT_FILE
    if line is None and project_file.is_file():
        defaults = load_hcl(project_file, cache_dir=cache)
        return str(Path(defaults.path)), defaults.line_of(("backend", name))
    return str(env.config_path), line
