"""envman promote [TARGET] [--from SOURCE]: promote what runs in the source into the target."""

from __future__ import annotations

from envman.commands import AppContext, emit_json
from envman.commands.results import deploy_document
from envman.errors import EXIT_OK
from envman.hooks import run_hooks
from envman.protect.confirm import ConfirmOptions
from envman.protect.windows import check_windows
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Kind
from envman.releases.oplock import acquire
from envman.releases.pipeline import DeploySpec, deploy_planned
from envman.releases.promote import plan_promotion, promotion_target
from envman.releases.provenance import actor
from envman.terraform.progress import Progress
from envman.timeutil import now


def run_promote(
    ctx: AppContext,
    target_name: str | None,
    source_name: str | None,
    dry_run: bool,
    confirm: ConfirmOptions,
    break_glass: str | None,
    as_json: bool = False,
) -> int:
    project = ctx.project
    target = promotion_target(project, target_name)
    console = ctx.console(json_mode=as_json)
    rules = [] if dry_run else check_windows(target, "promote", now(), break_glass)
    store = store_for(target)
    with acquire(store, "promote", actor(), environment=target.name):
        if not dry_run:
            run_hooks(target, "before_apply", {})
        promotion = plan_promotion(project, target, source_name, console)
        if dry_run:
            console.print("Dry run: nothing changed.")
            if as_json:
                emit_json(deploy_document(target.name, Kind.PROMOTE, None, dry_run=True))
            return EXIT_OK
        spec = DeploySpec(
            kind=Kind.PROMOTE,
            confirm=confirm,
            break_glass=break_glass,
            break_glass_rules=tuple(rules),
            source=promotion.source,
            version_lines=tuple(
                f"{n}: {old} → {new}" for n, old, new in promotion.changes if old != new
            ),
        )
        ledger = Ledger(store, target.name)
        result = deploy_planned(
            ledger, promotion.planned, spec, console, Progress(target.name, "Applying")
        )
    if as_json:
        emit_json(deploy_document(target.name, Kind.PROMOTE, result))
    return result.exit_code
