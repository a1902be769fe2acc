"""Hooks: commands run before/after apply, promote and rollback."""

from __future__ import annotations

from envman.hooks.runner import HookFailed, hook_environment, run_hooks

__all__ = ["HookFailed", "hook_environment", "run_hooks"]
