"""The promotion gate of a component environment's apply (releases/gate.py, docs/components.md).

Promoted variables are named `component.name` (`promotion.variables`); a `--set` or `--unpin`
of one of them — `--set app.image_tag=V`, or a bare `--set image_tag=V` that reaches `app` —
bypasses promotion: refused under `protection.promotion_only` unless `--break-glass`, else
warned and recorded, as for a single stack. With `apply --plan` the names come from the saved
graph plan (it keeps the names `--set` gave each component, never the values).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from envman.graph.plan import GraphTarget
from envman.graph.saved import GRAPH_PLAN
from envman.releases.gate import GateResult, check_apply, promoted_variables
from envman.releases.models import IMPLICIT
from envman.workspace import Workspace


def qualified(per_component: Mapping[str, Iterable[str]]) -> set[str]:
    """`component.name` for each variable name of each component (a single stack's: `name`)."""
    return {
        f"{component}.{name}" if component != IMPLICIT else name
        for component, names in per_component.items()
        for name in names
    }


def plan_bypass_warning(target: GraphTarget) -> str | None:
    """`plan --set/--unpin` of promoted variables: said, never refused (nothing applies)."""
    touched = sorted(
        (qualified(target.sets) | qualified(target.unpin)) & promoted_variables(target.env)
    )
    if not touched:
        return None
    needs = " and needs --break-glass" if target.env.config.protection.promotion_only else ""
    return (
        f"envman: warning: {', '.join(touched)} of '{target.env.name}' changes only by "
        f"promotion; applying this plan bypasses it{needs}"
    )


def saved_set_names(target: GraphTarget) -> dict[str, list[str]]:
    """The variables `--set` gave each component in the saved graph plan (none when absent)."""
    path = Workspace(target.project, target.env).prepare_folder() / GRAPH_PLAN
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}  # no saved plan: load_graph_plan says so
    sets = document.get("set") if isinstance(document, dict) else None
    if not isinstance(sets, dict):
        return {}
    return {str(n): [str(v) for v in names] for n, names in sets.items() if isinstance(names, list)}


def check_graph_apply(
    target: GraphTarget, break_glass: str | None, saved: bool = False
) -> GateResult:
    """The gate for this run's --set and --unpin (or the saved plan's --set)."""
    sets = saved_set_names(target) if saved else target.sets
    return check_apply(target.env, qualified(sets), qualified(target.unpin), break_glass)
