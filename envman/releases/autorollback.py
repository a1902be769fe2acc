"""The automatic rollback after a failed verification, run by the command that saw it.

The deploy step only reports ``needs_rollback``; the command (apply, promote) calls
``run_auto_rollback``, which plans and deploys the rollback as its own pipeline run —
before_apply hooks included — and notifies how it went.
"""

from __future__ import annotations

from rich.console import Console

from envman.errors import EnvmanError
from envman.notify.dispatch import Notification, notify
from envman.releases.ledger import Ledger
from envman.releases.pipeline import DeployResult
from envman.releases.rollback import RollbackOptions, deploy_rollback, plan_rollback
from envman.releases.rollback_view import show_rollback
from envman.workspace import Workspace


def run_auto_rollback(
    workspace: Workspace,
    ledger: Ledger,
    result: DeployResult,
    console: Console,
) -> DeployResult:
    """Roll back after ``result`` failed verification; the rollback's outcome is attached."""
    env = workspace.env
    failed = result.release
    if failed is None or not result.needs_rollback:
        return result
    console.print(f"[red]Verification failed[/red]; rolling '{env.name}' back automatically.")
    try:
        options = RollbackOptions(automatic=True, failed_seq=failed.seq)
        plan = plan_rollback(workspace, ledger, options)
        show_rollback(console, plan)
        outcome: DeployResult | None = deploy_rollback(ledger, plan, options, console)
    except EnvmanError as exc:
        console.print(f"[red]Automatic rollback failed:[/red] {exc}")
        notify(
            env,
            Notification(
                event="rollback_failed",
                environment=env.name,
                title=f"automatic rollback of {env.name} failed",
                lines=[str(exc)],
                release=failed.to_json(),
            ),
        )
        result.rollback_wanted = False
        return result
    result.auto_rollback = outcome
    if outcome is not None and outcome.release is not None:
        release = outcome.release
        notify(
            env,
            Notification(
                event="auto_rollback",
                environment=env.name,
                title=f"{env.name} rolled back automatically to release #{release.target_seq}",
                lines=[f"release #{failed.seq} failed verification"],
                release=release.to_json(),
            ),
        )
    return result
