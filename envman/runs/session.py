"""An environment run under its operation lock: take the lease, then settle orphaned releases."""

from __future__ import annotations

from rich.console import Console

from envman.say import Say


def console_say(console: Console) -> Say:
    """One plain line on the command's console (no markup: lines may hold brackets)."""
    return lambda line: console.print(line, markup=False, highlight=False)
