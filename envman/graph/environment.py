"""One component of one environment, as an Environment the rest of envman can run.

A ComponentEnvironment keeps the environment's name (one ledger, one operation lock, the same
protection) but has its own stack, its own folder `.envman/envs/<env>/components/<name>/`
(data dir, runs), its own state (`{component}` in the backend key or path) and its own inputs:
the environment's shared tfvars, filtered to the variables the stack declares, and
`<component>.tfvars`.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envman.config.hclfile import load_hcl
from envman.config.paths import CONFIG_CACHE, ENVS_DIR, FACTS_CACHE, STATE_DIR
from envman.config.project import COMPONENT_PLACEHOLDER, Environment, Project
from envman.config.stack import read_stack
from envman.config.tfvars import read_tfvars
from envman.errors import ConfigError
from envman.graph.config import Components, ComponentSpec
from envman.graph.model import upstream_closure
from envman.releases.models import IMPLICIT
from envman.synth.app import is_cdk_app

COMPONENTS_DIR = "components"


@dataclass(frozen=True)
class ComponentEnvironment(Environment):
    component: str = ""
    declared: frozenset[str] | None = field(default=None)  # None: not known statically (CDK)

    @property
    def work_dir(self) -> Path:
        return (
            self.project_root / STATE_DIR / ENVS_DIR / self.name / COMPONENTS_DIR / self.component
        )

    @property
    def legacy_work_dir(self) -> Path:
        return self.work_dir / ".no-legacy-folder"  # components never had the old layout

    def backend_config(self) -> dict[str, Any]:
        values = Environment.backend_config(self)
        for name in ("key", "path"):
            value = values.get(name)
            if isinstance(value, str):
                values[name] = value.replace(COMPONENT_PLACEHOLDER, self.component)
        return values

    def var_files(self) -> list[Path]:
        """Shared tfvars (only the variables this stack declares), then <component>.tfvars."""
        files = [self._only_declared(p) for p in Environment.var_files(self)]
        own = self.directory / f"{self.component}.tfvars"
        if own.exists():
            if not own.is_file():
                raise ConfigError("not a regular file", path=str(own), hint="make it a tfvars file")
            files.append(own)
        return files

    def _only_declared(self, path: Path) -> Path:
        if self.declared is None:
            return path
        values = read_tfvars(path)
        if all(name in self.declared for name in values):
            return path
        kept = {k: v for k, v in values.items() if k in self.declared}
        target = self.work_dir / "tfvars" / f"{path.name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(kept, indent=2, sort_keys=True)
        if not target.is_file() or target.read_text() != text:
            # one writer per thread too: components plan in parallel in one process
            tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            tmp.replace(target)
        return target


def component_environment(project: Project, env: Environment, spec: ComponentSpec) -> Environment:
    """The environment one component runs as; the implicit component of a single stack is
    the environment itself (its folder, state, var files: everything users see stays)."""
    if spec.name == IMPLICIT:
        return env
    declared = None
    if not is_cdk_app(spec.stack_dir):
        stack = read_stack(spec.stack_dir, project.state_root / FACTS_CACHE)
        declared = frozenset(stack.variables)
    return ComponentEnvironment(
        name=env.name,
        directory=env.directory,
        config_path=env.config_path,
        config=env.config,
        stack_dir=spec.stack_dir,
        project_root=env.project_root,
        component=spec.name,
        declared=declared,
    )


def environment_components(project: Project, env: Environment, components: Components) -> list[str]:
    """The components ``env`` takes (all unless `components = [...]`), checked: known names,
    every upstream taken too, and a backend whose key or path holds `{component}`."""
    chosen = env.config.components
    names = list(components.names) if chosen is None else list(dict.fromkeys(chosen))
    doc = load_hcl(env.config_path, cache_dir=project.state_root / CONFIG_CACHE)
    line = doc.line_of(("components",))
    for name in names:
        if name not in components.specs:
            raise ConfigError(
                f"environment '{env.name}' takes unknown component '{name}'",
                path=str(env.config_path),
                line=line,
                hint=f"components: {', '.join(components.names)}",
            )
    edges = components.edges()
    for name in names:
        missing = sorted(upstream_closure(edges, [name]) - set(names))
        if missing:
            raise ConfigError(
                f"environment '{env.name}' takes component '{name}' but not its upstream "
                f"{', '.join(missing)}",
                path=str(env.config_path),
                line=line,
                hint="add them to components = [...]",
            )
    _check_backend_placeholder(env, doc.line_of(("backend",)))
    return [n for n in components.names if n in set(names)]


def _check_backend_placeholder(env: Environment, line: int | None) -> None:
    backend = env.config.backend
    if backend is None:
        return
    where = {"s3": "key", "local": "path"}.get(backend.type)
    value = backend.config.get(where) if where else None
    if isinstance(value, str) and COMPONENT_PLACEHOLDER not in value:
        raise ConfigError(
            f"backend \"{backend.type}\" {where} of environment '{env.name}' has no "
            f"{COMPONENT_PLACEHOLDER}: every component needs a state of its own",
            path=str(env.config_path),
            line=line,
            hint=f'e.g. {where} = "{env.name}/{COMPONENT_PLACEHOLDER}/terraform.tfstate"',
        )
