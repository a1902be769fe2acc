"""Review of a plan before it is applied: guard and policies (docs/review.md).

``review_before_apply`` is the one call the deploy pipeline makes, after the plan and before
confirmation, hooks and anything applied. ``review_plan`` does the work for it and for the
review report of ``envman plan``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from rich.console import Console
from rich.markup import escape

from envman.guard.model import DestroyAction, GuardRefused, PolicyStatus, ReviewResult
from envman.guard.policy import run_policies
from envman.guard.redact import Redact, chain, identity, plan_secrets, replacing
from envman.guard.rules import evaluate_guard, unused_allowances
from envman.planning import PlannedRun
from envman.terraform.models import Plan
from envman.terraform.plan import StreamedPlan
from envman.terraform.plan_reader import read_plan
from envman.terraform.show import build_show_args


@dataclass(frozen=True)
class ReviewOptions:
    allow_destroy: tuple[str, ...] = ()
    destroy_run: bool = False  # `envman destroy`: max_destroy does not apply
    with_values: bool = False  # read the plan's values (diffs, reports) even without policies
    redact: Redact = identity  # envman's redactor (section 13); plan secrets are added to it


@dataclass
class PlanReview:
    result: ReviewResult
    plan: Plan | None = None  # read when policies, values or a saved plan needed it
    redact: Redact = field(default=identity)


def has_review(planned: PlannedRun) -> bool:
    config = planned.workspace.env.config
    return config.guard is not None or bool(config.policy)


def review_plan(planned: PlannedRun, options: ReviewOptions) -> PlanReview:
    """Judge the plan: guard from its changes, policies on its JSON; nothing is refused here."""
    config = planned.workspace.env.config
    changes: list[tuple[str, str]] = list(planned.streamed.planned)
    if not (options.with_values or config.policy or _incomplete(planned.streamed)):
        guard = evaluate_guard(
            changes, config.guard, options.allow_destroy, destroy_run=options.destroy_run
        )
        return PlanReview(ReviewResult(guard=guard), None, options.redact)
    env = planned.workspace.env
    with plan_json(planned) as path:
        with path.open("rb") as stream:
            plan = read_plan(stream)
        secrets = plan_secrets(plan, planned.workspace.stack.sensitive_variables())
        redact = chain(options.redact, replacing(secrets))
        policies = run_policies(config.policy, path, env, redact)
    changes = [
        (rc.address, str(rc.change.actions)) for rc in plan.resource_changes if rc.mode == "managed"
    ]
    guard = evaluate_guard(
        changes, config.guard, options.allow_destroy, destroy_run=options.destroy_run
    )
    return PlanReview(ReviewResult(guard=guard, policies=policies), plan, redact)


def review_before_apply(
    planned: PlannedRun,
    allow_destroy: Sequence[str],
    console: Console,
    *,
    destroy_run: bool = False,
    redact: Redact = identity,
) -> list[str]:
    """Refuse (GuardRefused, exit 3) a plan the guard or a policy refuses, naming each address;
    return the addresses --allow-destroy let through (to be recorded in the release)."""
    env = planned.workspace.env.name
    if not has_review(planned):
        if allow_destroy:
            console.print(f"--allow-destroy: '{env}' has no guard block; nothing to allow.")
        return []
    options = ReviewOptions(tuple(allow_destroy), destroy_run=destroy_run, redact=redact)
    review = review_plan(planned, options)
    show_review(console, env, review.result)
    for address in unused_allowances(review.result.guard, allow_destroy):
        console.print(
            f"[yellow]--allow-destroy {escape(address)}: the plan does not destroy it[/yellow]"
        )
    if review.result.refused:
        reasons = review.result.reasons()
        raise GuardRefused(
            f"plan of '{env}' refused, nothing applied: {'; '.join(reasons)}",
            hint=_hint(review.result),
        )
    return [d.address for d in review.result.guard.allowed]


def show_review(console: Console, env: str, result: ReviewResult) -> None:
    """Guard and policy results for people (policy output included, already redacted)."""
    for item in result.guard.destroyed:
        verb = "replaced" if item.action is DestroyAction.REPLACE else "destroyed"
        address = escape(item.address)
        if item.refused:
            console.print(
                f"[red]guard: {address} would be {verb} "
                f"(prevent_destroy {escape(repr(item.protected_by))})[/red]",
                markup=True,
                highlight=False,
            )
        elif item.allowed:
            console.print(
                f"[bold yellow]--allow-destroy: {address} will be {verb} "
                "(recorded in the release)[/bold yellow]",
                highlight=False,
            )
    if result.guard.over_limit:
        console.print(
            f"[red]guard: more than max_destroy = {result.guard.max_destroy} resources "
            "destroyed or replaced[/red]"
        )
    for policy in result.policies:
        style = "green" if policy.status is PolicyStatus.PASSED else "red"
        text = escape(f"policy {policy.name}: {policy.summary}")
        console.print(f"[{style}]{text}[/{style}]", highlight=False)
        if policy.status is not PolicyStatus.PASSED and policy.output:
            for line in policy.output.splitlines():
                console.print(
                    f"  [{env} policy {policy.name}] {line}", markup=False, highlight=False
                )


def _hint(result: ReviewResult) -> str:
    refused = result.guard.refused_addresses
    if refused:
        flags = " ".join(f"--allow-destroy '{d.address}'" for d in refused)
        return f"if intended, run again with {flags}"
    if result.guard.over_limit:
        return "split the change, or let the intended addresses through with --allow-destroy ADDR"
    return "fix what the policy reports and plan again"


def _incomplete(streamed: StreamedPlan) -> bool:
    """A plan known only by its counts (a saved plan): its changes must be read from the file."""
    summary = streamed.summary
    return not streamed.planned and bool(summary.add or summary.change or summary.destroy)


@contextlib.contextmanager
def plan_json(planned: PlannedRun) -> Iterator[Path]:
    """`terraform show -json` of the saved plan in an owner-only file, deleted afterwards
    (it holds every value of the plan, sensitive ones too)."""
    folder = planned.plan_file.parent
    fd, name = tempfile.mkstemp(prefix=".plan-review-", suffix=".json", dir=folder)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:

            def consume(stream: IO[bytes]) -> None:
                shutil.copyfileobj(stream, out)

            planned.workspace.terraform.run(
                build_show_args(planned.plan_file), consume_stdout=consume, what="terraform show"
            )
        yield path
    finally:
        path.unlink(missing_ok=True)
