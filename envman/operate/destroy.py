"""The rules of a destroy: protection and windows (--break-glass), the typed name, and what a
destroyed environment refuses. The destroy itself runs through the one flow
(envman.commands.components_ops). Once a destroy succeeded the environment has no current
release: a later apply rebuilds it with the stack's own values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from envman.config.project import Environment
from envman.errors import ProtectionRefused, UsageError
from envman.operate import Redact, no_redaction
from envman.protect.confirm import ConfirmOptions, confirm_change, stdin_is_terminal
from envman.protect.windows import check_windows
from envman.releases.ledger import Ledger
from envman.releases.models import Release
from envman.say import Say

DESTROY_PLAN = "destroy.tfplan"
PROTECTED_RULE = "protection.confirm"  # recorded in break_glass.rules when a protected env goes


@dataclass(frozen=True)
class DestroyOptions:
    confirm: str | None = None
    yes: bool = False
    break_glass: str | None = None
    allow_destroy: tuple[str, ...] = ()  # --allow-destroy: guarded addresses let through
    redact: Redact = no_redaction
    warn: Say | None = None  # break-glass warnings: the command's stderr


def destroyed_by(ledger: Ledger) -> Release | None:
    """The destroy release that left the environment without a current release, if any."""
    last = ledger.last_successful()
    return last if last is not None and last.kind == "destroy" else None


def destroy_rules(env: Environment, moment: datetime, options: DestroyOptions) -> list[str]:
    """The rules --break-glass overrides; refuses (exit 3) a protected environment without it
    and a deploy window (deny day, freeze) without it."""
    rules = check_windows(env, "apply", moment, options.break_glass, options.warn)
    if not env.protected:
        return rules
    if options.break_glass is None:
        raise ProtectionRefused(
            f"environment '{env.name}' is protected: destroying it needs --break-glass REASON",
            hint=f"envman destroy {env.name} --break-glass 'why' (and the typed name)",
        )
    reason = options.redact(options.break_glass.strip())
    if options.warn is not None:
        options.warn(
            f"envman: warning: break-glass on '{env.name}': destroying a protected environment "
            f"({reason})"
        )
    return [PROTECTED_RULE, *rules]


def confirm_destroy(name: str, options: DestroyOptions) -> None:
    """The typed name, always: --confirm NAME without a terminal; --yes is never enough."""
    if options.confirm is None and not stdin_is_terminal():
        raise ProtectionRefused(
            f"destroying '{name}' needs its name typed and there is no terminal",
            hint=f"pass --confirm {name} (--yes is never enough)",
        )
    confirm_change(name, True, ConfirmOptions(confirm=options.confirm), "destroy")


def check_not_destroyed(ledger: Ledger, role: str) -> None:
    """Refuse to read from an environment whose last successful release is a destroy."""
    release = destroyed_by(ledger)
    if release is None:
        return
    name = ledger.environment
    raise UsageError(
        f"cannot {role} '{name}': it was destroyed by release #{release.seq}"
        f"{' on ' + release.finished_at if release.finished_at else ''}",
        hint=f"rebuild it first: envman apply {name}",
    )
