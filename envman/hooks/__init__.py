"""Hooks: commands run before/after apply, promote and rollback."""

from __future__ import annotations

from envman.config.project import Environment
from envman.terraform.models import OutputValue


def run_hooks(env: Environment, event: str, outputs: dict[str, OutputValue]) -> None:
    """Run the environment's hooks for EVENT; raise HookFailed when one fails."""
    return None
