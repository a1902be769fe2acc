"""What a rollback shows before its confirmation: restored-value notes, the value changes,
notes about sensitive values, then the plan. Output only: the rollback itself says nothing."""

from __future__ import annotations

from rich.console import Console

from envman.display import show_plan
from envman.releases.rollback import RollbackPlan
from envman.releases.versions import sensitive_notes, show_changes


def show_rollback(console: Console, plan: RollbackPlan) -> None:
    env_name = plan.planned.workspace.env.name
    for note in plan.notes:
        console.print(note, markup=False, highlight=False)
    show_changes(console, f"Rollback of {env_name} to release #{plan.target.seq}", plan.changes)
    for note in sensitive_notes(plan.planned.inputs, plan.target.seq):
        console.print(f"note: {note}", markup=False, highlight=False)
    show_plan(console, plan.planned)
