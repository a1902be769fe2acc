"""What follows every apply, promote and rollback, whatever the environment's shape: the after
hooks, verification (`verified` / `verify_failed`) and the notification.

A hook that fails marks the release `failed`, is announced and raised. A status that cannot be
written is returned as a problem (said by the caller), never raised: verification, the
automatic rollback and notifications still run, and the next run reconciles the record.
The automatic rollback is not started here: the command that sees the failed verification
runs it (``AfterApply.rollback_wanted``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from envman.config.project import Environment
from envman.errors import EnvmanError
from envman.hooks import run_hooks
from envman.notify.dispatch import Notification, notify
from envman.releases.ledger import Ledger
from envman.releases.models import Kind, Release
from envman.releases.record import set_status
from envman.say import Say
from envman.terraform.models import OutputValue
from envman.verify.runner import VerifyOutcome, verify_environment

# after_apply follows every terraform apply (so migrations also run on promote and rollback);
# after_promote / after_rollback follow it for their kind only.
HOOK_EVENTS: dict[str, tuple[str, ...]] = {
    Kind.APPLY: ("after_apply",),
    Kind.PROMOTE: ("after_apply", "after_promote"),
    Kind.ROLLBACK: ("after_apply", "after_rollback"),
    Kind.DESTROY: (),  # nothing is left to migrate or verify
}


@dataclass(frozen=True)
class Announcer:
    """How a run's notifications read: the environment, the break-glass reason (when it
    overrode a rule) and, with components, the ones the run applied."""

    env: Environment
    kind: Kind
    break_glass: str | None = None
    components: tuple[str, ...] | None = None  # None: a single stack
    version_lines: tuple[str, ...] = ()  # `image_tag: 1.2.0 → 1.3.0 (promoted)`

    def __call__(self, event: str, release: Release | None, title: str, lines: list[str]) -> None:
        if release is not None and release.label:
            title += f" [{release.label}]"
        if self.components is not None:
            title += f" ({', '.join(self.components) or 'no component'})"
        notify(
            self.env,
            Notification(
                event=event,
                environment=self.env.name,
                title=title,
                lines=lines,
                release=release.to_json() if release is not None else None,
                break_glass=self.break_glass,
            ),
        )

    def failed(self, release: Release | None, error: str) -> None:
        self(f"{self.kind}_failed", release, f"{self.kind} of {self.env.name} failed", [error])


@dataclass
class AfterApply:
    """The outcome of the step: verification, a status write that failed, and whether the
    environment asks for an automatic rollback."""

    verify: VerifyOutcome
    problems: list[str] = field(default_factory=list)
    rollback_wanted: bool = False


def after_apply(
    ledger: Ledger,
    release: Release,
    outputs: Mapping[str, OutputValue],
    previous: dict[str, Any] | None,
    announce: Announcer,
    say: Say | None = None,
) -> AfterApply:
    """Hooks, verification and the notification after ``release`` applied."""
    env, kind = announce.env, announce.kind
    event = ""
    try:
        for event in HOOK_EVENTS[kind]:
            run_hooks(env, event, outputs)
    except EnvmanError as exc:
        set_status(ledger, release, "failed", warn=say, error=f"hook failed: {exc}")
        announce(f"{kind}_failed", release, f"{event} hook failed on {env.name}", [str(exc)])
        raise
    outcome = verify_environment(env, dict(outputs), previous, say)
    result = AfterApply(verify=outcome)
    if outcome.ran:
        status = "verified" if outcome.ok else "verify_failed"
        checks = {"ok": outcome.ok, "checks": outcome.checks}
        problem = set_status(ledger, release, status, verification=checks)
        result.problems.extend([problem] if problem else [])
        config = env.config.verify
        result.rollback_wanted = (
            not outcome.ok and config is not None and config.on_failure == "rollback"
        )
    if outcome.ran and not outcome.ok:
        title = f"verification failed on {env.name}"
        announce("verify_failed", release, title, [outcome.summary()])
    else:
        title = f"{kind} of {env.name} succeeded"
        announce(str(kind), release, title, list(announce.version_lines))
    return result
