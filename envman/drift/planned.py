"""What the normal plan would do to a drift difference, and changes drift does not explain.

- ``leaves``: applying would keep reality's value. A no-op resource leaves everything (one
  the plan does not list, nothing); an update or replacement leaves a difference when the
  planned value equals the actual one in meaning (an added element is still in the planned
  collection, a removed one still absent). A planned value known only after apply leaves an
  attribute nobody configured (computed by the provider) but not a configured one. A
  resource being destroyed leaves nothing.
- ``reverts`` (``actionable``): the plan updates, replaces or creates the resource and its
  planned value equals the *expected* one (the element is gone again, the removed element is
  back, the attribute has its state value). Touching the attribute is not enough.
- ``pending_changes``: the normal plan changes something drift does not explain (unapplied
  code or inputs). A change whose before and after are equal in meaning (JSON rewritten with
  other whitespace) is no change.
"""

from __future__ import annotations

from typing import Any

from envman.drift import values
from envman.drift.elements import ADDED, EQUIVALENT, REMOVED, Difference, diff
from envman.terraform.models import Plan, ResourceChange


def _planned(rc: ResourceChange, path: values.Path) -> tuple[bool, Any]:
    """(known, planned value at ``path``)."""
    change = rc.change
    after = values.value_at(change.after, path)
    where = values.concrete(change.after, path)
    unknown = after is None and values.flag_at(change.after_unknown, where or path)
    return not unknown, after


def leaves(rc: ResourceChange | None, difference: Difference, configured: bool) -> bool:
    """Whether applying would keep reality as it is for this difference."""
    if rc is None:
        return False  # the plan does not say: never call it noise
    if rc.change.actions.noop():
        return True
    if rc.change.actions.delete() and not rc.change.actions.replace():
        return False
    known, planned = _planned(rc, difference.path)
    if not known:
        return not configured
    if difference.kind == ADDED:
        return values.contains(planned, difference.actual)
    if difference.kind == REMOVED:
        return not values.contains(planned, difference.expected)
    return values.same(planned, difference.actual)


def reverts(rc: ResourceChange | None, difference: Difference) -> bool:
    """Whether applying would restore the expected value (``actionable``)."""
    if rc is None:
        return False
    actions = rc.change.actions
    if not (actions.update() or actions.replace()):
        return False
    known, planned = _planned(rc, difference.path)
    if not known:
        return False
    if difference.kind == ADDED:
        return planned is None or (
            isinstance(planned, list) and not values.contains(planned, difference.actual)
        )
    if difference.kind == REMOVED:
        return values.contains(planned, difference.expected)
    return values.same(planned, difference.expected)


def pending_changes(normal: Plan, drift: Plan) -> list[dict[str, str]]:
    """Changes of the normal plan that drift does not explain: unapplied code or inputs."""
    drifted = {rc.address: rc for rc in drift.resource_drift}
    pending: list[dict[str, str]] = []
    for rc in normal.resource_changes:
        if rc.mode != "managed" or rc.change.actions.noop() or not _meaningful(rc):
            continue
        if not _explained(rc, drifted.get(rc.address)):
            pending.append({"address": rc.address, "action": str(rc.change.actions)})
    if not pending and not drift.resource_drift:
        for name, change in sorted(normal.output_changes.items()):
            if not change.actions.noop():
                pending.append({"address": f"output.{name}", "action": str(change.actions)})
    return pending


def _meaningful(rc: ResourceChange) -> bool:
    """Anything but an in-place update whose values are all equal in meaning."""
    change = rc.change
    if change.actions.update() and not change.actions.replace() and change.after is not None:
        if values.flag_at(change.after_unknown, ()):
            return True
        return any(d.kind != EQUIVALENT for d in diff(change.before, change.after))
    return True


def _explained(rc: ResourceChange, drifted: ResourceChange | None) -> bool:
    """The change only puts back what the state says (it reverts the drift)."""
    if drifted is None or rc.change.actions.delete():
        return False
    if drifted.change.after is None:
        return rc.change.actions.create()
    change = rc.change
    state = drifted.change.before
    for difference in diff(change.before, change.after):
        path = difference.path
        planned = values.value_at(change.after, path)
        if difference.kind == EQUIVALENT or (
            planned is None and values.flag_at(change.after_unknown, path)
        ):
            continue
        in_state = values.value_at(state, path)
        if difference.kind == ADDED:
            explained = values.contains(in_state, difference.actual)
        elif difference.kind == REMOVED:
            explained = not values.contains(in_state, difference.expected)
        else:
            explained = values.same(planned, in_state)
        if not explained:
            return False
    return True
