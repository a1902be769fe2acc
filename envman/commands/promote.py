"""envman promote [TARGET] [--from SOURCE]: promote what runs in the source into the target."""

from __future__ import annotations

from envman.commands import AppContext, emit_json
from envman.commands.requests import PromoteRequest
from envman.commands.results import deploy_document
from envman.display import show_plan
from envman.errors import EXIT_OK
from envman.planning import discard_saved_plan
from envman.protect.windows import check_windows
from envman.releases.autorollback import run_auto_rollback
from envman.releases.gate import check_promote_source
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Kind
from envman.releases.pipeline import DeploySpec, deploy_planned
from envman.releases.promote import plan_promotion, promotion_target
from envman.releases.versions import change_lines, show_changes
from envman.runs.folder import finish_run
from envman.runs.session import console_say, locked_operation
from envman.say import say_on_stderr
from envman.terraform.progress import Progress
from envman.timeutil import now
from envman.workspace import Workspace


def run_promote(ctx: AppContext, request: PromoteRequest) -> int:
    if ctx.project.settings.component:  # an environment of several components
        from envman.commands.components import run_graph_promote

        return run_graph_promote(ctx, request)
    source_name, dry_run, break_glass = request.source, request.dry_run, request.break_glass
    as_json = request.as_json
    project = ctx.project
    target = promotion_target(project, request.target)
    console = ctx.console(json_mode=as_json)
    rules = [] if dry_run else check_windows(target, "promote", now(), break_glass, say_on_stderr)
    promotion = target.config.promotion
    gate = check_promote_source(
        target, source_name or (promotion.source if promotion else ""), break_glass
    )
    for line in gate.warnings:
        say_on_stderr(line)
    store = store_for(target)
    workspace = Workspace(project, target)
    with locked_operation(workspace, store, "promote", console_say(console)) as lease:
        promoted = plan_promotion(project, target, source_name, gate.bypass)
        title = f"Promotion {promoted.source.environment} → {target.name}"
        show_changes(console, title, promoted.changes)
        show_plan(console, promoted.planned)
        if dry_run:
            discard_saved_plan(promoted.planned)  # never applied; it holds secrets
            console.print("Dry run: nothing changed.")
            if as_json:
                emit_json(deploy_document(target.name, Kind.PROMOTE, None, dry_run=True))
            return EXIT_OK
        spec = DeploySpec(
            kind=Kind.PROMOTE,
            confirm=request.confirm,
            break_glass=break_glass,
            break_glass_rules=(*rules, *gate.rules),
            source=promoted.source,
            version_lines=change_lines(promoted.changes, "promoted"),
            allow_destroy=request.allow_destroy,
            lease=lease,
        )
        ledger = Ledger(store, target.name)
        planned = promoted.planned
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
    if as_json:
        emit_json(deploy_document(target.name, Kind.PROMOTE, result))
    return result.exit_code
