"""envman promote [TARGET] [--from SOURCE]: promote what runs in the source into the target."""

from __future__ import annotations

from envman.commands import AppContext
from envman.errors import EXIT_OK
from envman.planning import discard_saved_plan
from envman.protect.confirm import ConfirmOptions
from envman.protect.windows import check_windows
from envman.releases.autorollback import run_auto_rollback
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.pipeline import DeploySpec, deploy_planned
from envman.releases.promote import plan_promotion, promotion_target
from envman.runs.folder import finish_run
from envman.runs.session import console_say, locked_operation
from envman.terraform.progress import Progress
from envman.timeutil import now
from envman.workspace import Workspace


def run_promote(
    ctx: AppContext,
    target_name: str | None,
    source_name: str | None,
    dry_run: bool,
    confirm: ConfirmOptions,
    break_glass: str | None,
) -> int:
    project = ctx.project
    target = promotion_target(project, target_name)
    console = ctx.console()
    rules = [] if dry_run else check_windows(target, "promote", now(), break_glass)
    store = store_for(target)
    workspace = Workspace(project, target)
    with locked_operation(workspace, store, "promote", console_say(console)) as lease:
        promotion = plan_promotion(project, target, source_name, console)
        if dry_run:
            discard_saved_plan(promotion.planned)  # never applied; it holds secrets
            console.print("Dry run: nothing changed.")
            return EXIT_OK
        spec = DeploySpec(
            kind="promote",
            confirm=confirm,
            break_glass=break_glass,
            break_glass_rules=tuple(rules),
            source=promotion.source,
            lease=lease,
            version_lines=tuple(
                f"{n}: {old} → {new}" for n, old, new in promotion.changes if old != new
            ),
        )
        ledger = Ledger(store, target.name)
        planned = promotion.planned
        try:
            result = deploy_planned(
                ledger, planned, spec, console, Progress(target.name, "Applying")
            )
            if result.needs_rollback:  # the caller that sees the failed verification rolls back
                run_auto_rollback(planned.workspace, ledger, result, console)
        finally:
            discard_saved_plan(planned)
            if planned.run is not None:
                finish_run(planned.run)
    return result.exit_code
