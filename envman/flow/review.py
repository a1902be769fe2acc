"""The review part of `envman plan`, for every shape: --diff, --format markdown, --report FILE
and the guard/policy verdict — one report section per stack (a single stack's, or each
component's; deferred components noted)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console

from envman.errors import UsageError
from envman.guard.diff import render_plan_diff
from envman.guard.report import EnvironmentReview, SectionReview, render_markdown, section_for
from envman.guard.review import ReviewOptions, has_review, review_plan, show_review
from envman.planning import PlannedRun
from envman.secrets.files import write_private
from envman.terraform.models import PlanSummary

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


@dataclass(frozen=True)
class Planned:
    """One stack to review: its plan (None: deferred until ``waits_for`` applied), its
    component (None: a single stack) and the variables wired from upstreams (read, not set)."""

    planned: PlannedRun | None
    component: str | None = None
    waits_for: tuple[str, ...] = ()
    wired: frozenset[str] = frozenset()
    note: str | None = None  # said instead of a plan (e.g. "will be orphaned: ...")


def review_stacks(
    environment: str,
    stacks: list[Planned],
    output: ReviewOutput,
    console: Console,
    write: Callable[[str], None],
) -> list[str]:
    """Show what OUTPUT asks for (a markdown document through ``write``, a report file); the
    reasons applying would be refused (empty: none)."""
    sections: list[SectionReview] = []
    reasons: list[str] = []
    for stack in stacks:
        if stack.planned is None:
            note = stack.note or f"planned after {', '.join(stack.waits_for)} applies"
            sections.append(SectionReview(PlanSummary(), component=stack.component, note=note))
            continue
        section = _section(stack, stack.planned, output, console)
        if section.review is not None:
            prefix = f"{stack.component}: " if stack.component else ""
            reasons.extend(f"{prefix}{r}" for r in section.review.reasons())
        sections.append(section)
    if output.fmt == "markdown" or output.report is not None:
        text = render_markdown([EnvironmentReview(environment, tuple(sections))])
        if output.fmt == "markdown":
            write(text)
        if output.report is not None:
            write_report_file(output.report, text)
    return reasons


def _section(
    stack: Planned, planned: PlannedRun, output: ReviewOutput, console: Console
) -> SectionReview:
    reviewed = has_review(planned)
    review = None
    if planned.streamed.summary.has_changes and (reviewed or output.wants_values):
        review = review_plan(planned, ReviewOptions(with_values=output.wants_values))
        if output.diff and review.plan is not None:
            if stack.component:
                console.print(f"{stack.component}:", markup=False)
            for line in render_plan_diff(review.plan.resource_changes):
                console.print(review.redact(line), markup=False, highlight=False)
        if reviewed:
            label = planned.workspace.env.name
            label += f"/{stack.component}" if stack.component else ""
            show_review(console, label, review.result)
    section = section_for(planned, review, reviewed)
    versions = tuple(v for v in section.versions if v.name not in stack.wired)
    return replace(section, component=stack.component, versions=versions)


def write_report_file(path: Path, text: str) -> None:
    """A report leaves envman: through the redactor, owner-only (docs/operations.md)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, text)
    except OSError as exc:
        raise UsageError(
            f"cannot write the report to {path}: {exc.strerror}",
            hint="give a writable --report FILE",
        ) from None
