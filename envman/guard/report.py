"""The review report: what a plan changes and what guards and policies say, in Markdown.

Short enough for a pull-request comment: addresses grouped by action (long groups folded into
``<details>``), version changes, guard and policy results, attribute changes folded. One
environment is one or more *sections*: today the environment's stack; with components
(docs/components.md) one section per component, rendered under the environment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from envman.guard.diff import SENSITIVE, render_resource, value_text
from envman.guard.model import DestroyAction, PolicyStatus, ReviewResult
from envman.guard.review import PlanReview
from envman.planning import PlannedRun
from envman.terraform.models import PlanSummary, changes_nothing

ACTIONS = ("create", "update", "replace", "delete")
_TITLES = {"create": "Create", "update": "Update", "replace": "Replace", "delete": "Destroy"}
FOLD_AFTER = 10  # addresses listed inline per action; more go into <details>
MAX_DIFF_LINES = 300  # per section


@dataclass(frozen=True)
class VersionChange:
    name: str
    old: str
    new: str


@dataclass(frozen=True)
class SectionReview:
    """One stack's plan: the environment's own, or (later) one component's."""

    summary: PlanSummary
    changes: tuple[tuple[str, str], ...] = ()  # (address, action) of managed changes
    diff: tuple[str, ...] = ()  # rendered attribute changes (redacted)
    versions: tuple[VersionChange, ...] = ()
    review: ReviewResult | None = None  # None: the environment has no guard or policy
    component: str | None = None
    note: str | None = None  # e.g. "planned after network applies"


@dataclass(frozen=True)
class EnvironmentReview:
    environment: str
    sections: tuple[SectionReview, ...] = ()
    error: str | None = None

    @property
    def refused(self) -> bool:
        return any(s.review is not None and s.review.refused for s in self.sections)


@dataclass
class _Out:
    lines: list[str] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)


def section_for(planned: PlannedRun, review: PlanReview | None, reviewed: bool) -> SectionReview:
    """The report section of one planned stack (REVIEW carries the plan's values, if read)."""
    changes = tuple(
        sorted(
            (address, action)
            for address, action in planned.streamed.planned
            if not changes_nothing(action)
        )
    )
    diff: list[str] = []
    if review is not None and review.plan is not None:
        for rc in review.plan.resource_changes:
            if rc.mode == "managed" and not rc.change.actions.noop():
                diff += [review.redact(line) for line in render_resource(rc)]
        if not changes:  # a saved plan: the changes come from its file
            changes = tuple(
                (rc.address, str(rc.change.actions))
                for rc in review.plan.resource_changes
                if rc.mode == "managed" and not rc.change.actions.noop()
            )
    return SectionReview(
        summary=planned.streamed.summary,
        changes=changes,
        diff=tuple(diff),
        versions=version_changes(planned),
        review=review.result if review is not None and reviewed else None,
    )


def version_changes(planned: PlannedRun) -> tuple[VersionChange, ...]:
    """Variables whose planned value differs from the current release's (sensitive redacted)."""
    inputs = planned.inputs
    sensitive = planned.workspace.stack.sensitive_variables()
    rows = []
    for name in sorted(set(inputs.pinned) | set(inputs.overrides)):
        old, new = inputs.pinned.get(name), inputs.overrides.get(name, inputs.pinned.get(name))
        if old != new:
            hide = name in sensitive
            rows.append(VersionChange(name, _shown(old, hide), _shown(new, hide)))
    return tuple(rows)


def render_markdown(envs: Sequence[EnvironmentReview]) -> str:
    out = _Out()
    for index, env in enumerate(envs):
        if index:
            out.add("")
        _environment(out, env)
    return "\n".join(out.lines).rstrip() + "\n"


def _environment(out: _Out, env: EnvironmentReview) -> None:
    if env.error is not None:
        out.add(f"## ⚠️ `{env.environment}`: plan failed", "", f"> {_inline(env.error)}")
        return
    sections = env.sections
    counts = _total(s.summary for s in sections)
    icon = "⛔" if env.refused else ("📝" if counts.has_changes else "✅")
    verdict = " — **refused**" if env.refused else ""
    out.add(f"## {icon} `{env.environment}`: {counts.text()}{verdict}")
    for section in sections:
        _section(out, section)


def _section(out: _Out, section: SectionReview) -> None:
    if section.component is not None:
        out.add("", f"### Component `{section.component}`: {section.summary.text()}")
    if section.note:
        out.add("", f"_{_inline(section.note)}_")
    if section.versions:
        out.add("", "**Version changes:**", "", "| Variable | Current | Planned |", "|---|---|---|")
        out.add(*(f"| `{v.name}` | {_code(v.old)} | {_code(v.new)} |" for v in section.versions))
    _changes(out, section)
    if section.review is not None:
        _guard(out, section.review)
        _policies(out, section.review)


def _changes(out: _Out, section: SectionReview) -> None:
    if not section.changes:
        if not section.summary.has_changes:
            out.add("", "No changes.")
        return
    out.add("")
    others = sorted({act for _, act in section.changes} - set(ACTIONS))  # move, import, ...
    for action in (*ACTIONS, *others):
        addresses = [a for a, act in section.changes if act == action]
        if not addresses:
            continue
        title = f"**{_TITLES.get(action, action.capitalize())}** ({len(addresses)})"
        if len(addresses) <= FOLD_AFTER:
            out.add(f"- {title}: " + ", ".join(f"`{a}`" for a in addresses))
        else:
            out.add(f"- {title}", "", "  <details><summary>addresses</summary>", "")
            out.add(*(f"  - `{a}`" for a in addresses))
            out.add("", "  </details>")
    if section.diff:
        lines = list(section.diff)
        if len(lines) > MAX_DIFF_LINES:
            cut = len(lines) - MAX_DIFF_LINES
            lines = [*lines[:MAX_DIFF_LINES], f"… {cut} more lines (run envman plan --diff)"]
        out.add("", "<details><summary>Attribute changes</summary>", "")
        out.add(*_fenced("diff", lines))
        out.add("", "</details>")


def _guard(out: _Out, result: ReviewResult) -> None:
    guard = result.guard
    if not guard.configured:
        return
    status = "⛔ refused" if guard.refused else "✅ passed"
    out.add("", f"**Guard:** {status}")
    for item in guard.destroyed:
        verb = "replaced" if item.action is DestroyAction.REPLACE else "destroyed"
        if item.refused:
            out.add(
                f"- ⛔ `{item.address}` would be {verb}: protected by `{item.protected_by}` "
                f"(if intended: `--allow-destroy '{item.address}'`)"
            )
        elif item.allowed:
            out.add(f"- ⚠️ `{item.address}` will be {verb}: allowed by `--allow-destroy`")
    if guard.over_limit:
        counted = sum(1 for d in guard.destroyed if not d.allowed)
        out.add(
            f"- ⛔ destroys or replaces {counted}, more than `max_destroy = {guard.max_destroy}`"
        )


def _policies(out: _Out, result: ReviewResult) -> None:
    if not result.policies:
        return
    refused = any(p.status is not PolicyStatus.PASSED for p in result.policies)
    out.add("", f"**Policies:** {'⛔ refused' if refused else '✅ passed'}", "")
    out.add("| Policy | Result |", "|---|---|")
    icons = {PolicyStatus.PASSED: "✅", PolicyStatus.REFUSED: "⛔", PolicyStatus.ERROR: "⚠️"}
    for policy in result.policies:
        out.add(f"| `{policy.name}` | {icons[policy.status]} {_inline(policy.summary)} |")
    for policy in result.policies:
        if policy.status is PolicyStatus.PASSED or not policy.output:
            continue
        out.add("", f"<details><summary>Output of <code>{_html(policy.name)}</code></summary>", "")
        out.add(*_fenced("text", policy.output.splitlines()))
        out.add("", "</details>")


def _total(summaries: Any) -> PlanSummary:
    add = change = destroy = replace = outputs = 0
    for s in summaries:
        add, change, destroy = add + s.add, change + s.change, destroy + s.destroy
        replace, outputs = replace + s.replace, outputs + s.outputs_changed
    return PlanSummary(add, change, destroy, replace, outputs)


def _fenced(lang: str, lines: Sequence[str]) -> list[str]:
    longest = max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{lang}", *lines, fence]


def _shown(value: Any, sensitive: bool) -> str:
    if sensitive:
        return SENSITIVE
    if value is None:
        return "(not pinned)"
    return value if isinstance(value, str) else value_text(value)


def _code(text: str) -> str:
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _inline(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
