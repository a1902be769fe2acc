"""The review part of `envman plan`: --diff, --format markdown, --report FILE, guard verdict."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from envman.errors import UsageError
from envman.guard.diff import render_plan_diff
from envman.guard.report import EnvironmentReview, render_markdown, section_for
from envman.guard.review import PlanReview, ReviewOptions, has_review, review_plan, show_review
from envman.planning import PlannedRun
from envman.secrets.files import write_private

FORMATS = ("text", "markdown")


@dataclass(frozen=True)
class ReviewOutput:
    diff: bool = False
    fmt: str = "text"
    report: Path | None = None

    def check(self) -> None:
        if self.fmt not in FORMATS:
            raise UsageError(f"unknown --format {self.fmt!r}", hint="use text or markdown")

    @property
    def wants_values(self) -> bool:
        return self.diff or self.fmt == "markdown" or self.report is not None


def review_for_plan(
    planned: PlannedRun, output: ReviewOutput, console: Console
) -> PlanReview | None:
    """Judge the plan as apply would (guard, policies) and show what OUTPUT asks for.
    None when there is nothing to judge (no changes, or no guard/policy and no report)."""
    reviewed = has_review(planned)
    if not planned.streamed.summary.has_changes or not (reviewed or output.wants_values):
        _write_report(planned, None, output)
        return None
    review = review_plan(planned, ReviewOptions(with_values=output.wants_values))
    if output.diff and review.plan is not None:
        for line in render_plan_diff(review.plan.resource_changes):
            console.print(review.redact(line), markup=False, highlight=False)
    if reviewed:
        show_review(console, planned.workspace.env.name, review.result)
    _write_report(planned, review, output)
    return review if reviewed else None


def _write_report(planned: PlannedRun, review: PlanReview | None, output: ReviewOutput) -> None:
    if output.fmt != "markdown" and output.report is None:
        return
    section = section_for(planned, review, has_review(planned))
    text = render_markdown([EnvironmentReview(planned.workspace.env.name, (section,))])
    if output.fmt == "markdown":
        print(text, end="", flush=True)
    if output.report is not None:
        _write_file(output.report, text)


def _write_file(path: Path, text: str) -> None:
    """A report leaves envman: through the redactor, owner-only (docs/operations.md)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, text)
    except OSError as exc:
        raise UsageError(
            f"cannot write the report to {path}: {exc.strerror}",
            hint="give a writable --report FILE",
        ) from None
