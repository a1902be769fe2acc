"""A prepared terraform workspace for one environment: binary, env vars, data dir, init."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from envman.aws.session import terraform_child_env
from envman.config.project import FACTS_CACHE, Environment, Project
from envman.config.stack import StackInfo, read_stack
from envman.errors import ConfigError
from envman.runs.folder import Run, new_run
from envman.runs.legacy import migrate
from envman.say import say_on_stderr
from envman.secrets.files import own_folder
from envman.secrets.sources import remember_credentials
from envman.synth.environment import environment_stack_dir
from envman.terraform.binary import Binary, find_binary
from envman.terraform.cliconfig import ensure_cli_config
from envman.terraform.init import (
    ensure_init,
    init_backend_config,
    init_current,
    init_fingerprint,
)
from envman.terraform.runner import EventHandler, Terraform, base_environment, warn_ignored


@dataclass
class Workspace:
    project: Project
    env: Environment

    @property
    def facts_cache(self) -> Path:
        """Where facts read from the stack's *.tf files and the tfvars are cached (never a value)."""
        return self.project.state_root / FACTS_CACHE

    @cached_property
    def stack_dir(self) -> Path:
        """Where terraform runs: the stack folder, or a CDK app's synthesised stack."""
        return environment_stack_dir(self.env)

    @cached_property
    def stack(self) -> StackInfo:
        return read_stack(self.stack_dir, self.facts_cache)

    @cached_property
    def binary(self) -> Binary:
        return find_binary(self.project.settings.terraform.binary)

    @cached_property
    def terraform(self) -> Terraform:
        self.prepare_folder()
        own_folder(self.env.data_dir, self.project.state_root)  # terraform's, never a symlink
        cli_config = ensure_cli_config(self.project.state_root, self.project.provider_mirror())
        extra = terraform_child_env(self.env)
        remember_credentials(extra)
        env = base_environment(self.env.data_dir, cli_config, extra)
        warn_ignored(os.environ, say_on_stderr)
        if "AWS_SESSION_TOKEN" in extra and "AWS_PROFILE" not in extra:
            env.pop("AWS_PROFILE", None)  # the assumed role's credentials, not the shell's profile
        component = getattr(self.env, "component", None) or None
        owner = (self.env.name, component)
        return Terraform(binary=self.binary, stack_dir=self.stack_dir, env=env, owner=owner)

    def prepare_folder(self) -> Path:
        """.envman/envs/<env>/, private (plan files hold every variable, secrets too); an
        old .envman/<env>/ folder is moved there first."""
        root = self.env.work_dir
        if not root.is_dir() and not root.is_symlink():
            migrate(self.env.legacy_work_dir, root, self.env.name)
        return own_folder(root, self.project.state_root)  # never through a symlink

    def new_run(self, kind: str) -> Run:
        """A private run folder for one plan/apply/promote/rollback/drift run."""
        return new_run(self.prepare_folder(), kind)

    @property
    def lock_timeout(self) -> str:
        seconds = int(self.project.settings.terraform.lock_timeout.total_seconds())
        return f"{seconds}s"

    def check_backend(self) -> None:
        backend = self.env.config.backend
        declared = self.stack.backend_type
        if backend is None:
            if declared not in (None, "local"):
                raise ConfigError(
                    f'the stack declares backend "{declared}" but the environment has no backend block',
                    path=str(self.env.config_path),
                    hint=f'add backend "{declared}" {{ ... }}',
                )
            return
        if declared is None:
            raise ConfigError(
                f'backend "{backend.type}" is configured but the stack {self.env.stack_dir} '
                "declares no backend block",
                path=str(self.env.config_path),
                hint=f'add terraform {{ backend "{backend.type}" {{}} }} to the stack',
            )
        if declared != backend.type:
            raise ConfigError(
                f'backend type "{backend.type}" does not match the stack\'s backend "{declared}"',
                path=str(self.env.config_path),
                hint=f'use backend "{declared}" {{ ... }} or change the stack',
            )

    def ensure_init(self, on_event: EventHandler | None = None) -> bool:
        self.check_backend()
        backend_config = init_backend_config(self.env.stack_dir, self.env.backend_config())

        def fingerprint() -> str:
            return init_fingerprint(
                self.terraform, self.stack.backend_type, backend_config, self.stack.module_sources
            )

        if init_current(self.terraform, self.env.work_dir, fingerprint()):
            return False
        with self._init_guard():  # init writes the data dir every run shares: under the lock
            return ensure_init(
                self.terraform, self.env.work_dir, fingerprint, backend_config, on_event
            )

    def _init_guard(self) -> contextlib.AbstractContextManager[object]:
        """The operation lock for init, unless this process already holds it (or the
        environment has no ledger to hold it in)."""
        if self.env.config.backend is None or self.env.config.backend.type not in ("s3", "local"):
            return contextlib.nullcontext()
        from envman.releases.locate import store_for
        from envman.releases.oplock import acquire, held_here
        from envman.releases.provenance import actor

        store = store_for(self.env)
        if held_here(store) is not None:
            return contextlib.nullcontext()
        return acquire(store, "init", actor(), environment=self.env.name, on_note=say_on_stderr)
