"""Project discovery and loading of envman.hcl and environments/<env>/environment.hcl."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envman.config.contained import COMPONENT_PLACEHOLDER as COMPONENT_PLACEHOLDER
from envman.config.contained import Setting, check_inside
from envman.config.hclfile import HclDocument, load_hcl
from envman.config.loader import shape_blocks, validate_model
from envman.config.locations import check_unshared
from envman.config.models import ENVIRONMENT_KEYS, EnvironmentConfig, ProjectSettings
from envman.config.names import identifier_problem
from envman.config.paths import (
    CONFIG_CACHE,
    ENVIRONMENT_FILE,
    ENVIRONMENTS_DIR,
    ENVS_DIR,
    PROJECT_FILE,
    STATE_DIR,
)
from envman.config.paths import FACTS_CACHE as FACTS_CACHE  # re-exported
from envman.config.tfvars import check_var_file_size
from envman.errors import ConfigError, UsageError
from envman.secrets.files import own_folder
from envman.secrets.redactor import remember


@dataclass(frozen=True)
class Environment:
    name: str
    directory: Path
    config_path: Path
    config: EnvironmentConfig
    stack_dir: Path
    project_root: Path

    @property
    def work_dir(self) -> Path:
        """Where envman keeps this environment's files: .envman/envs/<env>/ (a folder no
        environment name can collide with: `cache`, `terraformrc` are valid names)."""
        return self.project_root / STATE_DIR / ENVS_DIR / self.name

    @property
    def legacy_work_dir(self) -> Path:
        """Where envman before runs kept them (.envman/<env>/); moved on first use."""
        return self.project_root / STATE_DIR / self.name

    @property
    def data_dir(self) -> Path:
        return self.work_dir / "terraform"

    def var_files(self) -> list[Path]:
        """The environment's own tfvars, in terraform's precedence order."""
        main = self.directory / "terraform.tfvars"
        autos = [*self.directory.glob("*.auto.tfvars"), *self.directory.glob("*.auto.tfvars.json")]
        files = [main] if main.exists() else []
        files.extend(sorted(autos, key=lambda p: p.name))
        for path in files:
            if not path.is_file():
                raise ConfigError(
                    "not a regular file", path=str(path), hint="make it a tfvars file or remove it"
                )
            check_var_file_size(path)
        return files

    def backend_config(self) -> dict[str, Any]:
        backend = self.config.backend
        if backend is None:
            return {}
        values: dict[str, Any] = dict(backend.config)
        if backend.type == "local" and isinstance(values.get("path"), str):
            values["path"] = str((self.project_root / values["path"]).resolve())
        return values

    def ledger_backend_config(self) -> dict[str, Any]:
        """The backend settings that locate the environment's ledger: with components
        (docs/components.md) the key or path with `{component}` removed, one ledger per env."""
        values = Environment.backend_config(self)
        for name in ("key", "path"):
            value = values.get(name)
            if isinstance(value, str) and COMPONENT_PLACEHOLDER in value:
                cleaned = value.replace(COMPONENT_PLACEHOLDER, "")
                while "//" in cleaned:
                    cleaned = cleaned.replace("//", "/")
                values[name] = cleaned
        return values

    @property
    def protected(self) -> bool:
        return self.config.protection.confirm

    def remember_webhooks(self) -> None:
        """The webhook URLs its notify blocks name are secrets: redacted wherever they show up."""
        for block in self.config.notify:
            remember(os.environ.get(block.webhook_url_env))


@dataclass
class Project:
    root: Path
    settings: ProjectSettings
    settings_path: Path | None
    _environments: dict[str, Environment] = field(default_factory=dict)  # checked
    _read: dict[str, Environment] = field(default_factory=dict)  # loaded, not yet checked

    @property
    def state_root(self) -> Path:
        return self.root / STATE_DIR

    def environment_names(self) -> list[str]:
        base = self.root / ENVIRONMENTS_DIR
        return sorted(p.name for p in base.iterdir() if (p / ENVIRONMENT_FILE).is_file())

    def environment(self, name: str) -> Environment:
        if name in self._environments:
            return self._environments[name]
        names = self.environment_names()
        if name not in names:
            raise UsageError(f"unknown environment '{name}'", hint=self._suggest(name, names))
        env = self._loaded(name)
        check_unshared(env, self._others(name), [c.name for c in self.settings.component])
        self._environments[name] = env
        return env

    def _loaded(self, name: str) -> Environment:
        if name not in self._read:
            env = _load_environment(self, name)
            env.remember_webhooks()
            self._read[name] = env
        return self._read[name]

    def _others(self, name: str) -> list[Environment]:
        """The other environments that load (one that does not is its own problem)."""
        others = []
        for other in self.environment_names():
            if other != name:
                with contextlib.suppress(ConfigError):
                    others.append(self._loaded(other))
        return others

    def _suggest(self, name: str, names: list[str]) -> str:
        return suggest_environment(name, names, self.root / ENVIRONMENTS_DIR)

    def environments(self) -> list[Environment]:
        """Every environment whose configuration loads. A broken folder never blocks a command
        on another environment (`envman list` and `validate` report it, with file:line)."""
        found = []
        for name in self.environment_names():
            try:
                found.append(self.environment(name))
            except (ConfigError, UsageError):
                continue
        return found

    def provider_mirror(self) -> Path | None:
        from_env = os.environ.get("ENVMAN_PROVIDER_MIRROR")
        if from_env:
            return Path(from_env).expanduser().resolve()
        if self.settings.provider_mirror:
            return (self.root / self.settings.provider_mirror).resolve()
        return None


def suggest_environment(name: str, names: list[str], folder: Path) -> str:
    """A hint for an unknown environment name: the closest known one, and the list."""
    import difflib

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    listed = f"environments in {folder}: {', '.join(names) or 'none'}"
    return f"did you mean '{close[0]}'? {listed}" if close else listed


def find_project_root(explicit: Path | None = None) -> Path:
    if explicit is None and os.environ.get("ENVMAN_PROJECT"):
        explicit = Path(os.environ["ENVMAN_PROJECT"])
    if explicit is not None:
        root = explicit.expanduser().resolve()
        if not (root / ENVIRONMENTS_DIR).is_dir():
            raise UsageError(
                f"{root} is not an envman project: it has no '{ENVIRONMENTS_DIR}/' folder",
                hint="pass --project with the folder that holds environments/",
            )
        return root
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / ENVIRONMENTS_DIR).is_dir():
            return candidate
    raise UsageError(
        f"no envman project found in {here} or its parents (no '{ENVIRONMENTS_DIR}/' folder)",
        hint="cd into a project, or pass --project DIR / set ENVMAN_PROJECT",
    )


def load_project(explicit: Path | None = None) -> Project:
    root = find_project_root(explicit)
    if (root / STATE_DIR).is_symlink():  # before its caches are read or written
        own_folder(root / STATE_DIR, root / STATE_DIR)  # the error naming it
    path = root / PROJECT_FILE
    if not path.is_file():
        return Project(root=root, settings=ProjectSettings(), settings_path=None)
    doc = load_hcl(path, cache_dir=root / STATE_DIR / CONFIG_CACHE)
    data = shape_blocks(doc, doc.data)
    defaults = {k: v for k, v in data.items() if k in ENVIRONMENT_KEYS}
    settings_data = {k: v for k, v in data.items() if k not in ENVIRONMENT_KEYS}
    settings_data["defaults"] = defaults
    if defaults:  # validate the defaults on their own, to blame envman.hcl for their errors
        validate_model(doc, EnvironmentConfig, defaults)
    settings = validate_model(doc, ProjectSettings, settings_data)
    for component in settings.component:
        line = doc.line_of(("component", component.name, "stack"))
        check_inside(root, root, Setting("component stack", component.stack, path, line))
    return Project(root=root, settings=settings, settings_path=path)


def _load_environment(project: Project, name: str) -> Environment:
    directory = project.root / ENVIRONMENTS_DIR / name
    problem = identifier_problem("environment", name)
    if problem is not None:
        raise ConfigError(problem, path=str(directory), hint="rename the folder")
    doc: HclDocument = load_hcl(
        directory / ENVIRONMENT_FILE, cache_dir=project.state_root / CONFIG_CACHE
    )
    own = shape_blocks(doc, doc.data)
    merged = {**project.settings.defaults, **own}
    config = validate_model(doc, EnvironmentConfig, merged)
    _check_paths(project, doc, own, config)
    if "stack" in own:
        stack_dir = (directory / str(own["stack"])).resolve()
    elif config.stack is not None:
        stack_dir = (project.root / config.stack).resolve()
    else:
        stack_dir = (project.root / "terraform").resolve()
    if not stack_dir.is_dir() and not (project.settings.component and "stack" not in merged):
        raise ConfigError(
            f"stack folder {stack_dir} does not exist",
            path=str(doc.path),
            line=doc.line_of(("stack",)),
            hint="set 'stack' to the folder of the root module, relative to this file",
        )
    return Environment(
        name=name,
        directory=directory,
        config_path=doc.path,
        config=config,
        stack_dir=stack_dir,
        project_root=project.root,
    )


def _check_paths(
    project: Project, doc: HclDocument, own: dict[str, Any], config: EnvironmentConfig
) -> None:
    """The stack folder and a local backend's state path stay inside the project."""

    def setting(keys: tuple[str, ...], what: str, value: str) -> Setting:
        if keys[0] in own or project.settings_path is None:
            return Setting(what, value, doc.path, doc.line_of(keys))
        defaults = load_hcl(project.settings_path, cache_dir=project.state_root / CONFIG_CACHE)
        return Setting(what, value, defaults.path, defaults.line_of(keys))

    if config.stack is not None:
        base = doc.path.parent if "stack" in own else project.root
        check_inside(project.root, base, setting(("stack",), "stack folder", config.stack))
    backend = config.backend
    state = backend.config.get("path") if backend is not None else None
    if backend is not None and backend.type == "local" and isinstance(state, str):
        check_inside(project.root, project.root, setting(("backend", "path"), "state path", state))
