"""The review part of `envman plan` for components: --diff, --format markdown, --report FILE
and the guard/policy verdict, one report section per component (deferred ones noted)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from rich.console import Console

from envman.commands.review import ReviewOutput, _write_file
from envman.graph.plan import ComponentRun
from envman.guard.diff import render_plan_diff
from envman.guard.report import EnvironmentReview, SectionReview, render_markdown, section_for
from envman.guard.review import ReviewOptions, has_review, review_plan, show_review
from envman.terraform.models import PlanSummary


def review_graph(
    environment: str,
    runs: dict[str, ComponentRun],
    output: ReviewOutput,
    console: Console,
    write: Callable[[str], None],
) -> list[str]:
    """Show what OUTPUT asks for (a markdown document through ``write``); the reasons applying
    would be refused (empty: none)."""
    sections: list[SectionReview] = []
    reasons: list[str] = []
    for name, run in runs.items():
        if run.planned is None:
            note = f"planned after {', '.join(run.waits_for)} applies"
            sections.append(SectionReview(summary=PlanSummary(), component=name, note=note))
            continue
        section = _section(name, run, output, console)
        if section.review is not None:
            reasons.extend(f"{name}: {r}" for r in section.review.reasons())
        sections.append(section)
    if output.fmt == "markdown" or output.report is not None:
        text = render_markdown([EnvironmentReview(environment, tuple(sections))])
        if output.fmt == "markdown":
            write(text)
        if output.report is not None:
            _write_file(output.report, text)
    return reasons


def _section(name: str, run: ComponentRun, output: ReviewOutput, console: Console) -> SectionReview:
    planned = run.planned
    assert planned is not None
    reviewed = has_review(planned)
    review = None
    if planned.streamed.summary.has_changes and (reviewed or output.wants_values):
        review = review_plan(planned, ReviewOptions(with_values=output.wants_values))
        if output.diff and review.plan is not None:
            console.print(f"{name}:", markup=False)
            for line in render_plan_diff(review.plan.resource_changes):
                console.print(review.redact(line), markup=False, highlight=False)
        if reviewed:
            show_review(console, f"{planned.workspace.env.name}/{name}", review.result)
    section = section_for(planned, review, reviewed)
    versions = tuple(v for v in section.versions if v.name not in run.wired)  # read, not set
    return replace(section, component=name, versions=versions)
