"""Where the run learns its sensitive values, each fed to the one redactor.

- sensitive variables (``StackInfo.is_sensitive``: ``sensitive`` in every form terraform
  accepts, and anything envman cannot evaluate counts as sensitive): their values from the
  environment's var files, the pinned inputs, ``--set`` and ``TF_VAR_<name>``;
- sensitive outputs (``terraform output -json``);
- assumed-role credentials (webhook URLs: ``Environment.remember_webhooks``, on load).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from envman.secrets.redactor import redact, remember, remember_soon

if TYPE_CHECKING:
    from envman.config.project import Environment
    from envman.config.stack import StackInfo

CREDENTIAL_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def remember_inputs(
    stack: StackInfo, var_files: Iterable[Path], layers: Iterable[Mapping[str, Any]]
) -> None:
    """Values of the stack's sensitive variables in var files (the environment's, and those
    terraform loads by itself from the stack folder), given layers and TF_VAR_."""
    sensitive = stack.sensitive_variables()
    if not sensitive:
        return
    for layer in layers:
        for name, value in layer.items():
            if name in sensitive:
                remember(value)
    for name in sensitive:
        remember(os.environ.get(f"TF_VAR_{name}"))
    for path in (*var_files, *_autoloaded(stack.directory)):
        remember_var_file(path, sensitive)
    remember_defaults(stack)


def remember_defaults(stack: StackInfo) -> None:
    """Defaults of sensitive variables (terraform can echo them too). The parse cache keeps no
    value, so the files that declare such a default are parsed, each once per run: in the
    background (python-hcl2's grammar load is ~0.25 s), while terraform starts; every text
    envman prints or stores waits for them (``redactor.remember_soon``)."""
    wanted = {
        v.name
        for v in stack.variables.values()
        if v.sensitive and not v.required and not v.default_null
    }
    if wanted:
        files = sorted({stack.variables[name].file for name in wanted})
        remember_soon(lambda: _defaults(files, wanted))


def _defaults(files: list[Path], wanted: set[str]) -> list[Any]:
    from envman.config.hclfile import LABEL, load_hcl
    from envman.errors import ConfigError

    found = []
    for path in files:
        try:
            data = load_hcl(path).data
        except ConfigError:
            continue  # reading the stack reports it
        for block in data.get("variable") or []:
            if isinstance(block, dict) and block.get(LABEL) in wanted:
                found.append(block.get("default"))
    return found


def _autoloaded(directory: Path) -> list[Path]:
    """The var files terraform reads from its working folder without being told."""
    names = ("terraform.tfvars", "terraform.tfvars.json")
    found = [directory / name for name in names if (directory / name).is_file()]
    return (
        found
        + sorted(directory.glob("*.auto.tfvars"))
        + sorted(directory.glob("*.auto.tfvars.json"))
    )


def remember_var_file(path: Path, sensitive: set[str]) -> None:
    """The values a tfvars file gives sensitive variables. A file whose text names none of
    them is not parsed (parsing is the slow part of start-up)."""
    from envman.config.tfvars import check_var_file_size, read_tfvars

    check_var_file_size(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""  # read_tfvars reports it
    if text and not any(name in text for name in sensitive):
        return
    for name, value in read_tfvars(path).items():
        if name in sensitive:
            remember(value)


def _stack_of(env: Environment) -> StackInfo | None:
    from envman.config.paths import FACTS_CACHE, STATE_DIR
    from envman.config.stack import read_stack
    from envman.errors import ConfigError

    try:
        return read_stack(env.stack_dir, env.project_root / STATE_DIR / FACTS_CACHE)
    except ConfigError:
        return None


def remember_environment_inputs(env: Environment) -> None:
    """Sensitive values of the environment's var files and TF_VAR_, before anything of the
    run has read them (a before_apply hook that prints a tfvars file)."""
    stack = _stack_of(env)
    if stack is not None:
        remember_inputs(stack, env.var_files(), ())


def remember_recorded(env: Environment, records: Iterable[Mapping[str, Any]]) -> None:
    """Inputs of releases (pins) for variables the environment's stack now calls sensitive: an
    older release may have pinned one. A stack envman cannot read: every input (fail closed)."""
    stack = _stack_of(env)
    sensitive = stack.sensitive_variables() if stack is not None else None
    for inputs in records:
        for name, value in inputs.items():
            if sensitive is None or name in sensitive:
                remember(value)


def remember_environment(env: Environment) -> None:
    """Webhook URLs of the environment's notify blocks."""
    for block in env.config.notify:
        remember(os.environ.get(block.webhook_url_env))


def remember_credentials(values: Mapping[str, str]) -> None:
    """Credentials handed to terraform and hooks (an assumed role's)."""
    for name in CREDENTIAL_VARIABLES:
        remember(values.get(name))


def secret_variables(env: Environment) -> set[str]:
    """Environment variables that hold secrets and that hooks do not get: webhook URLs."""
    return {block.webhook_url_env for block in env.config.notify}


def scrubbed_environment(env: Environment, base: Mapping[str, str]) -> dict[str, str]:
    """The caller's variables a hook or a policy runs with: never a webhook URL, never one
    whose value holds a known secret."""
    hidden = secret_variables(env)
    return {k: v for k, v in base.items() if k not in hidden and redact(v) == v}
