"""envman verify ENV: re-run the verify checks against the release in place; record the result."""

from __future__ import annotations

from typing import Any

from envman.commands import AppContext
from envman.errors import EXIT_OK, EXIT_VERIFY_FAILED, EnvmanError
from envman.notify.dispatch import Notification, notify
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Release
from envman.releases.oplock import acquire
from envman.releases.provenance import actor
from envman.releases.record import set_status
from envman.say import say_on_stderr
from envman.terraform.output import read_outputs
from envman.workspace import Workspace

IN_PLACE = ("applied", "verified", "verify_failed")


def release_in_place(ledger: Ledger) -> tuple[Release | None, list[Release]]:
    """The release that runs, and the newer records that ended otherwise.

    That is the current release (newest applied or verified), except after a release whose
    apply completed and whose verification failed with `on_failure = "fail"`: its values are
    what runs, so the checks judge it (recording them on an older release would be false;
    promote judges the same release, see releases.promote.running_release)."""
    newer: list[Release] = []
    for release in ledger.newest_first():
        if release.status in IN_PLACE:
            return (None if release.kind == "destroy" else release), newer
        newer.append(release)
    return None, newer


def previous_outputs_for(ledger: Ledger, release: Release) -> dict[str, Any] | None:
    """What to compare with: the release's own outputs when its CloudFront invalidation already
    succeeded (no second invalidation), else the previous successful release's outputs."""
    done = (release.verification or {}).get("checks") or []
    if any(c.get("kind") == "cloudfront_invalidation" and c.get("ok") for c in done):
        return dict(release.outputs)
    previous = ledger.previous_successful(release.seq)
    return dict(previous.outputs) if previous is not None else None


def run_verify(ctx: AppContext, name: str) -> int:
    from envman.verify.runner import verify_environment

    project = ctx.project
    env = project.environment(name)
    console = ctx.console()
    if env.config.verify is None:
        console.print(f"'{name}' has no verify block: nothing to verify.")
        return EXIT_OK
    store = store_for(env)
    with acquire(store, "verify", actor(), on_note=say_on_stderr):
        ledger = Ledger(store, env.name)
        release, newer = release_in_place(ledger)
        if release is None:
            from envman.operate.destroy import check_not_destroyed

            check_not_destroyed(ledger, "verify")
            raise EnvmanError(
                f"'{name}' has no applied release to verify",
                hint=f"apply it first: envman apply {name}",
            )
        for later in newer:
            console.print(
                f"[yellow]note:[/yellow] release #{later.seq} ({later.kind}) ended "
                f"{later.status}; verifying #{release.seq}, the release in place"
            )
        if project.settings.component:  # docs/components.md: every component's outputs
            from envman.graph.after import state_outputs

            outputs = state_outputs(project, env)
        else:
            workspace = Workspace(project, env)
            workspace.ensure_init()
            outputs = read_outputs(workspace.terraform)
        previous = previous_outputs_for(ledger, release)
        outcome = verify_environment(env, outputs, previous, say_on_stderr)
        status = "verified" if outcome.ok else "verify_failed"
        before = release.status
        set_status(
            ledger,
            release,
            status,
            warn=say_on_stderr,
            verification={
                "ok": outcome.ok,
                "checks": outcome.checks,
                "started_at": outcome.started_at,
                "rerun": True,
            },
        )
    for line in outcome.lines():
        console.print(line, markup=False)
    console.print(f"Release #{release.seq} of '{name}': {before} → {status}")
    if outcome.ok:
        return EXIT_OK
    notify(
        env,
        Notification(
            event="verify_failed",
            environment=env.name,
            title=f"verification failed on {env.name}",
            lines=[outcome.summary()],
            release=release.to_json(),
        ),
    )
    return EXIT_VERIFY_FAILED
