"""`envman tf ENV -- apply ...` judged by its effect, not its spelling (docs/operations.md).

An apply through ``tf`` is planned first (``terraform plan -out`` with the user's own flags,
whatever they are and however often they repeat), or its saved plan is taken as given. That
plan is read with ``terraform show -json`` and judged like a normal run's: a plan that only
destroys is refused (``envman destroy`` records a destroy), the guard
(``prevent_destroy``, ``max_destroy``) and the policies refuse what they refuse (exit 3).
Only then does terraform apply exactly that plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from envman.errors import UsageError
from envman.guard.model import GuardRefused, ReviewResult
from envman.guard.policy import run_policies
from envman.guard.rules import evaluate_guard
from envman.operate import Redact
from envman.operate.tfargs import VALUE_FLAGS, TfCommand, flag_name, flag_value, positionals
from envman.secrets.files import write_private_bytes
from envman.terraform.models import Plan
from envman.terraform.plan_reader import read_plan
from envman.workspace import Workspace

REVIEW_FILE = ".plan-review-tf.json"  # swept like every review input when a run dies
# apply's own flags, which `terraform plan` does not take (`-auto-approve` is envman's to judge)
_APPLY_ONLY = frozenset({"auto-approve", "backup", "state", "state-out"})
# flags that still mean something when a saved plan is applied
_KEPT_FOR_APPLY = frozenset({"lock", "lock-timeout", "parallelism", "no-color", "compact-warnings"})


@dataclass(frozen=True)
class ApplySteps:
    """How envman runs `tf -- apply ...`: plan first (``plan_args``, None for a saved plan),
    then apply ``plan_file`` with ``apply_args``."""

    plan_args: tuple[str, ...] | None
    plan_file: str  # as terraform reads it (relative paths: to the stack folder)
    apply_args: tuple[str, ...]
    auto_approve: bool


def apply_steps(command: TfCommand, out: Path) -> ApplySteps:
    """The steps of an apply; ``out`` is where envman's own plan goes."""
    rest = list(command.args[1:])
    saved = positionals(rest)
    if len(saved) > 1:
        raise UsageError("tf -- apply takes at most one saved plan file", hint="give one")
    auto = flag_value(rest, "auto-approve")
    kept = [a for a in rest if _kept(a)]
    if saved:
        return ApplySteps(None, saved[0], ("apply", *kept, "--", saved[0]), auto)
    plan = _without_flags(rest, _APPLY_ONLY)
    return ApplySteps(("plan", f"-out={out}", *plan), str(out), ("apply", *kept, str(out)), auto)


def _kept(arg: str) -> bool:
    """A flag that still applies to a saved plan, in a form that needs no next argument."""
    if not arg.startswith("-") or flag_name(arg) not in _KEPT_FOR_APPLY:
        return False
    return "=" in arg or flag_name(arg) not in VALUE_FLAGS


def _without_flags(args: Sequence[str], names: frozenset[str]) -> list[str]:
    return [a for a in args if not (a.startswith("-") and flag_name(a) in names)]


def judge_plan(workspace: Workspace, plan_file: str, folder: Path, redact: Redact) -> Plan:
    """Read the plan terraform will apply and judge it; raise when a rule refuses it."""
    review = folder / REVIEW_FILE
    done = workspace.terraform.run(
        ["show", "-json", "-no-color", "--", plan_file], what="terraform show"
    )
    write_private_bytes(review, done.stdout)  # every value of the plan: deleted with the run
    try:
        with review.open("rb") as stream:
            plan = read_plan(stream, keep_values=False)
        _refuse_destroy(workspace, plan)
        _review(workspace, plan, review, redact)
    finally:
        review.unlink(missing_ok=True)
    return plan


def _refuse_destroy(workspace: Workspace, plan: Plan) -> None:
    """A plan that only destroys (a destroy plan, targeted or not) is envman destroy's job."""
    managed = [rc for rc in plan.resource_changes if rc.mode == "managed"]
    if managed and all(rc.change.actions.delete() for rc in managed):
        name = workspace.env.name
        raise UsageError(
            f"the plan applied through tf only destroys ({len(managed)} resource(s) of "
            f"'{name}'): a destroy is not run through tf (it would leave no destroy release); "
            "nothing applied",
            hint=f"use: envman destroy {name} (one resource: remove it from the stack, envman apply)",
        )


def _review(workspace: Workspace, plan: Plan, review: Path, redact: Redact) -> None:
    env = workspace.env
    changes = [
        (rc.address, str(rc.change.actions)) for rc in plan.resource_changes if rc.mode == "managed"
    ]
    result = ReviewResult(
        guard=evaluate_guard(changes, env.config.guard),
        policies=run_policies(env.config.policy, review, env, redact) if env.config.policy else (),
    )
    if result.refused:
        raise GuardRefused(
            f"apply through tf on '{env.name}' refused, nothing applied: "
            + "; ".join(redact(r) for r in result.reasons()),
            hint=f"apply with envman apply {env.name} (--allow-destroy ADDR lets an address through)",
        )
