"""envman tf ENV -- ARGS: terraform itself with the environment's setup (docs/operations.md).

Data dir, automatic init, CLI config with the mirror, AWS credentials and endpoint, and for
plan, apply, import, refresh and console the environment's var files with its pinned inputs.
terraform's stdin, stdout and stderr are the user's; its exit code is envman's. Commands that
change state run under the operation lock, need --confirm ENV on a protected environment and
leave an audit entry in the ledger. envman's own lines go to stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from envman.commands import AppContext
from envman.config.project import Environment
from envman.errors import EXIT_INTERRUPTED, EnvmanError, ProtectionRefused, UsageError
from envman.inputs import GivenInputs, build_inputs
from envman.operate import Redact, no_redaction
from envman.operate.audit import AuditStatus, begin_audit, finish_audit, reconcile_orphans
from envman.operate.effect import apply_steps, judge_plan
from envman.operate.passthrough import run_passthrough
from envman.operate.tfargs import Access, TfCommand, build_argv, classify, is_destroy, mask_args
from envman.planning import current_pins
from envman.protect.confirm import ConfirmOptions, confirm_change
from envman.protect.windows import check_windows
from envman.releases.locate import store_for
from envman.releases.oplock import acquire
from envman.releases.provenance import actor
from envman.releases.store import LedgerStore
from envman.runs.folder import end_run
from envman.say import say_on_stderr
from envman.terraform import signals
from envman.terraform.init import FINGERPRINT_FILE, build_init_args
from envman.terraform.runner import Terraform
from envman.terraform.state import StateInfo, read_state_info
from envman.timeutil import now
from envman.workspace import Workspace


@dataclass(frozen=True)
class TfOptions:
    confirm: str | None = None
    redact: Redact = no_redaction
    components: tuple[str, ...] = ()  # -c as given
    component: str | None = None  # the one component terraform runs in (docs/components.md)


def run_tf(ctx: AppContext, name: str, args: Sequence[str], options: TfOptions) -> int:
    options = _one_component(ctx, name, options)
    command = classify(args)
    if is_destroy(command.args):  # judged by its effect: the destroy flow, with its rules
        return _destroy(ctx, name, options)
    project = ctx.project
    env = project.environment(name)
    if options.confirm is not None and options.confirm != env.name:
        raise ProtectionRefused(
            f"--confirm {options.confirm!r} does not match environment '{env.name}'",
            hint=f"pass --confirm {env.name}",
        )
    if options.component is not None:
        from envman.graph.select import one_component

        env = one_component(project, env, options.component)
        if command.takes_var_files:
            raise UsageError(
                f"tf -c {options.component} -- {command.name}: a component's plan needs its "
                "upstreams' outputs",
                hint=f"use envman plan/apply {name} -c {options.component}",
            )
    workspace = Workspace(project, env)
    if command.access is Access.READ:
        workspace.ensure_init()
        return _run(workspace, command)
    if command.access is Access.MUTATE:
        _confirm(env, command, options)
    store = store_for(env)
    with acquire(store, f"tf {command.name}", actor(), environment=env.name, on_note=say_on_stderr):
        if command.access is Access.SETUP:
            return _setup(workspace, command)
        workspace.ensure_init()
        return _audited(workspace, store, command, options.redact)


def _one_component(ctx: AppContext, name: str, options: TfOptions) -> TfOptions:
    """`-c COMPONENT`: exactly one with components (terraform runs in one stack), none without."""
    from envman.commands.requests import Scope
    from envman.commands.shape import has_components, single_stack

    if not has_components(ctx):
        single_stack(ctx, Scope(options.components))
        return options
    if len(options.components) != 1:
        raise UsageError(
            "tf of an environment made of components needs one -c COMPONENT",
            hint=f"e.g. envman tf {name} -c COMPONENT -- state list",
        )
    return replace(options, component=options.components[0])


def _destroy(ctx: AppContext, name: str, options: TfOptions) -> int:
    """`tf -- destroy` (or `apply -destroy`) is `envman destroy ENV [-c COMPONENT]`: the typed
    name (--confirm ENV without a terminal), the guard's prevent_destroy, protection, and a
    release of kind destroy."""
    from envman.operate.destroy import DestroyOptions

    say_on_stderr(f"envman: tf -- destroy runs as `envman destroy {name}` (recorded as a destroy)")
    destroy = DestroyOptions(confirm=options.confirm, redact=options.redact)
    from envman.commands.destroy import run_destroy

    only = (options.component,) if options.component is not None else ()
    return run_destroy(ctx, name, destroy, only)


def _confirm(env: Environment, command: TfCommand, options: TfOptions) -> None:
    if env.protected:
        action = f"run terraform {command.name}"
        confirm_change(env.name, True, ConfirmOptions(confirm=options.confirm), action)
    if command.name == "apply":  # deploy windows hold for an apply through tf too
        try:
            check_windows(env, "apply", now(), None)
        except ProtectionRefused as exc:
            raise ProtectionRefused(
                exc.message, hint=f"deploy with envman apply {env.name} --break-glass REASON"
            ) from None


def _run(workspace: Workspace, command: TfCommand) -> int:
    """terraform with envman's additions; a private run folder for the var files."""
    env = workspace.env
    run = workspace.new_run("tf")
    try:
        var_files = _var_files(workspace, run.folder) if command.takes_var_files else ()
        init_args = build_init_args(env.backend_config())[1:]
        init_args = [a for a in init_args if a not in ("-no-color", "-input=false")]
        code = run_passthrough(workspace.terraform, build_argv(command, var_files, init_args))
    finally:
        end_run(run)  # pinned values: never left behind
    return EXIT_INTERRUPTED if signals.interrupted() else code


def _var_files(workspace: Workspace, folder: Path) -> tuple[Path, ...]:
    pins = current_pins(workspace)
    given = GivenInputs(pinned=pins.inputs, pinned_from=pins.seq)
    return build_inputs(workspace.stack, workspace.env.var_files(), folder, given).var_files


def _apply(workspace: Workspace, command: TfCommand, redact: Redact) -> int:
    """An apply judged by its effect: planned first (or its saved plan read), the plan judged
    by the destroy rule, the guard and the policies, then exactly that plan applied."""
    run = workspace.new_run("tf")
    try:
        steps = apply_steps(command, run.plan_file)
        if steps.plan_args is not None:
            var_files = _var_files(workspace, run.folder)
            planning = TfCommand(steps.plan_args, "plan", Access.READ)
            code = run_passthrough(workspace.terraform, build_argv(planning, var_files, ()))
            if code != 0 or signals.interrupted():
                return EXIT_INTERRUPTED if signals.interrupted() else code
        judge_plan(workspace, steps.plan_file, run.folder, redact)
        if not steps.auto_approve and steps.plan_args is not None:  # a saved plan: as terraform
            confirm_change(workspace.env.name, False, ConfirmOptions(), "apply this plan to")
        code = run_passthrough(workspace.terraform, list(steps.apply_args))
    finally:
        end_run(run)  # its var files and plan: never left behind
    return EXIT_INTERRUPTED if signals.interrupted() else code


def _setup(workspace: Workspace, command: TfCommand) -> int:
    workspace.check_backend()
    if command.name != "init":
        workspace.ensure_init()
    code = _run(workspace, command)
    if command.name == "init":  # envman's next run checks its init again
        (workspace.env.work_dir / FINGERPRINT_FILE).unlink(missing_ok=True)
    return code


def _audited(workspace: Workspace, store: LedgerStore, command: TfCommand, redact: Redact) -> int:
    tf = workspace.terraform
    before = _state_info(tf)
    for orphan in reconcile_orphans(store, before):
        _say(
            f"audit entry {orphan} was left running by a run that died: marked interrupted", redact
        )
    entry = begin_audit(store, workspace.env.name, mask_args(command.args), before, redact)
    _say(f"audit entry {entry.id}: {entry.command_text()} by {entry.actor}", redact)
    status: AuditStatus = "interrupted"
    code: int | None = None
    error: str | None = None
    try:
        code = (
            _apply(workspace, command, redact)
            if command.name == "apply"
            else _run(workspace, command)
        )
        if not signals.interrupted():
            status = "succeeded" if code == 0 else "failed"
    except EnvmanError as exc:  # e.g. terraform could not start: it did not run
        status = "interrupted" if signals.interrupted() else "failed"
        error = redact(str(exc))
        raise
    finally:  # KeyboardInterrupt (before terraform started) leaves "interrupted"
        after = _state_info(tf)
        try:
            finish_audit(store, entry, status, code, after, error)
        except EnvmanError as exc:
            _say(f"warning: could not complete audit entry {entry.id}: {exc}", redact)
    serials = f"state serial {entry.state.serial_before} → {entry.state.serial_after}"
    _say(f"audit entry {entry.id}: {status} (exit {code}), {serials}", redact)
    return EXIT_INTERRUPTED if code is None else code


def _state_info(tf: Terraform) -> StateInfo:
    """Serial and lineage, or unknown (no state yet, state unreadable, run interrupted)."""
    try:
        return read_state_info(tf)
    except EnvmanError:
        return StateInfo(None, None)


def _say(line: str, redact: Redact) -> None:
    print(f"envman: {redact(line)}", file=sys.stderr, flush=True)
