"""The environment.hcl that `envman init` writes for one environment.

The first environment named adopts the state that is already there (the stack's local state
file, or its S3 key), so its first plan is clean; every other environment gets a state of its
own. Nothing is moved or copied: only where each environment's state lives is written down.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from envman.adopt.detect import Stack
from envman.errors import UsageError

SUPPORTED = ("local", "s3")
DEFAULT_LOCAL_STATE = "terraform.tfstate"
BUCKET_PLACEHOLDER = "CHANGE-ME-state-bucket"


@dataclass(frozen=True)
class EnvBackend:
    type: str
    settings: dict[str, str]
    note: str  # the comment above the block: whose state this is


@dataclass(frozen=True)
class EnvPlan:
    """One environment to write: its name, and whether it adopts the existing state."""

    name: str
    adopts: bool


def backend_for(stack: Stack, root: Path, env: EnvPlan) -> EnvBackend:
    kind = stack.backend.type or "local"
    if kind not in SUPPORTED:
        raise UsageError(
            f'the stack declares backend "{kind}"; envman keeps releases next to state only '
            "with the s3 or local backend",
            hint='use backend "s3" (or "local") in the stack, then run envman init again',
        )
    if kind == "s3":
        return _s3(stack, env)
    return _local(stack, root, env)


def literal(stack: Stack, key: str) -> str | None:
    """A backend setting of the stack as init copies it: a literal string (terraform allows
    no expression there), or None when it is not set."""
    value = stack.backend.settings.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool) or _template(str(value)):
        where = stack.backend.file or stack.directory
        raise UsageError(
            f'{where}: backend "{stack.backend.type}" setting {key} is not a literal string',
            hint=f'write {key} = "..." in the backend block (terraform allows no expression '
            "there), then run envman init again",
        )
    return str(value)


def _template(text: str) -> bool:
    return "${" in text or "%{" in text


def _local(stack: Stack, root: Path, env: EnvPlan) -> EnvBackend:
    declared = literal(stack, "path") or DEFAULT_LOCAL_STATE
    existing = stack.directory / declared
    if env.adopts and existing.is_file():
        if not existing.resolve().is_relative_to(root.resolve()):
            raise UsageError(
                f"the stack's state {existing} is outside the project {root}: envman keeps "
                "each environment's state inside it",
                hint="move the state file into the project, set that path in the stack's "
                "backend block, then run envman init again",
            )
        path = Path(os.path.relpath(existing, root)).as_posix()
        note = f"{env.name} adopts the state that was already there (nothing was moved)"
        return EnvBackend("local", {"path": path}, note)
    note = "a state of its own; the path is relative to the project root"
    return EnvBackend("local", {"path": f"state/{env.name}.tfstate"}, note)


def _s3(stack: Stack, env: EnvPlan) -> EnvBackend:
    bucket = literal(stack, "bucket") or BUCKET_PLACEHOLDER
    key = literal(stack, "key") or DEFAULT_LOCAL_STATE
    settings = {"bucket": bucket}
    if env.adopts:
        settings["key"] = key
        note = (
            f"{env.name} adopts the stack's state object (s3://{bucket}/{key}; nothing was moved)"
        )
    else:
        settings["key"] = f"{env.name}/{key}"
        note = "a state object of its own in the same bucket"
    region = literal(stack, "region")
    if region:
        settings["region"] = region
    if bucket == BUCKET_PLACEHOLDER:
        note += "; set the bucket (`envman bootstrap ENV` creates it)"
    return EnvBackend("s3", settings, note)


def render_environment(name: str, stack_ref: str, backend: EnvBackend) -> str:
    """The text of environments/<name>/environment.hcl."""
    width = max(len(k) for k in backend.settings)
    body = "\n".join(
        f"  {key.ljust(width)} = {json.dumps(value)}" for key, value in backend.settings.items()
    )
    return (
        f"# envman settings of the environment {name!r} (written by `envman init`; "
        "see docs/adopting.md)\n"
        f"description = {json.dumps(name)}\n"
        f"stack       = {json.dumps(stack_ref)} # the root module, relative to this file\n"
        "\n"
        f"# {_one_line(backend.note)}\n"
        f'backend "{backend.type}" {{\n{body}\n}}\n'
    )


def _one_line(text: str) -> str:
    """A comment's text: a control character (a line break in a state key) escaped, so it
    cannot end the comment and leave the rest as configuration."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: json.dumps(m.group())[1:-1], text)


def stack_reference(stack_dir: Path, env_dir: Path) -> str:
    return Path(os.path.relpath(stack_dir, env_dir)).as_posix()


STARTER_STACK = """\
# A starter stack written by `envman init` (the folder had no terraform code).
# envman gives each environment its own state through this backend block:
# environments/<env>/environment.hcl says where.
terraform {
  backend "local" {}
}
"""
