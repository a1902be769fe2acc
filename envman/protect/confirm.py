"""Confirmation before a change (docs/commands.md).

Unprotected: `[y/N]` on a terminal; `--yes` skips; no terminal and no `--yes` refuses.
Protected (`protection.confirm`): the user types the environment's name; without a terminal
`--confirm <name>` is required; `--yes` alone is not enough.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from envman.errors import Declined, Interrupted, ProtectionRefused


@dataclass(frozen=True)
class ConfirmOptions:
    yes: bool = False
    confirm: str | None = None


def stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def confirm_change(
    environment: str,
    protected: bool,
    options: ConfirmOptions,
    action: str,
    *,
    interactive: bool | None = None,
    ask: Callable[[str], str] | None = None,
) -> None:
    """Return when the change is confirmed; raise ProtectionRefused (exit 3) otherwise."""
    if interactive is None:
        interactive = stdin_is_terminal()
    prompt = ask or _ask
    if options.confirm is not None:
        if options.confirm == environment:
            return
        raise ProtectionRefused(
            f"--confirm {options.confirm!r} does not match environment '{environment}'",
            hint=f"pass --confirm {environment}",
        )
    if protected:
        if not interactive:
            raise ProtectionRefused(
                f"environment '{environment}' is protected: {action} needs typed confirmation",
                hint=f"without a terminal pass --confirm {environment} (--yes is not enough)",
            )
        answer = prompt(f"Type the environment name '{environment}' to {action}: ")
        if answer.strip() != environment:
            raise ProtectionRefused(f"confirmation did not match '{environment}'; nothing changed")
        return
    if options.yes:
        return
    if not interactive:
        raise ProtectionRefused(
            f"{action} of '{environment}' needs confirmation and there is no terminal",
            hint="pass --yes",
        )
    answer = prompt(f"{action.capitalize()} '{environment}'? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise Declined(f"{action} of '{environment}' declined; nothing changed")


def _ask(question: str) -> str:
    print(question, end="", file=sys.stderr, flush=True)
    try:
        return sys.stdin.readline()
    except EOFError:
        return ""
    except KeyboardInterrupt:  # Ctrl-C at the prompt: interrupted (130), not a refusal (3)
        print(file=sys.stderr)
        raise Interrupted("interrupted at the confirmation prompt; nothing changed") from None
