"""Reading `terraform show -json` of a plan as a stream, keeping only what envman uses.

``json.loads`` of a whole plan document holds every value of every resource at once (~8x the
document's size in Python objects): ``planned_values`` and ``prior_state`` repeat the values of
``resource_changes``, and the values of resources that do not change are never looked at. This
reader walks the document's events (ijson, C backend) and builds only:

- ``format_version``, ``terraform_version``, ``errored``, ``variables``, ``output_changes``,
  ``configuration`` (small: they grow with the code, not with the number of instances);
- each entry of ``resource_changes`` and ``resource_drift``: address, type, name, mode, actions,
  and the before/after values only when the entry changes something (and ``keep_values``);
  with ``changes_of_drifted_only``, a ``resource_changes`` entry keeps its values only when its
  resource drifted (all drift classification reads of them). terraform writes
  ``resource_drift`` before ``resource_changes`` (and leaves it out when empty); a document
  in the other order is refused rather than read wrong;
- nothing of ``planned_values``, ``prior_state``, ``relevant_attributes`` or ``checks``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import IO, Any

from envman.errors import TerraformError
from envman.terraform.errors import MalformedPlan
from envman.terraform.models import Actions, Plan, ResourceChange

_Events = Iterator[tuple[str, Any]]
_KEPT = frozenset(
    {
        "format_version",
        "terraform_version",
        "errored",
        "variables",
        "output_changes",
        "configuration",
    }
)
_CHANGE_LISTS = frozenset({"resource_changes", "resource_drift"})
_VALUE_KEYS = frozenset({"before", "after", "after_unknown", "before_sensitive", "after_sensitive"})


def read_plan(
    stream: IO[bytes], *, keep_values: bool = True, changes_of_drifted_only: bool = False
) -> Plan:
    """The plan in ``stream`` (``show -json`` output). Without ``keep_values`` no resource's
    values are kept at all (enough for a summary and the list of changes)."""
    import ijson

    try:
        return _read(
            ijson.basic_parse(stream, use_float=True), keep_values, changes_of_drifted_only
        )
    except (ijson.JSONError, UnicodeDecodeError) as exc:  # not JSON at all
        raise MalformedPlan(f"{type(exc).__name__}: {exc}") from None
    except StopIteration:  # the document ended in the middle
        raise MalformedPlan("the document ends early") from None
    except RecursionError:
        raise MalformedPlan("values nested too deeply") from None
    # anything else is a bug in envman: it is not disguised as a malformed plan


def _read(events: _Events, keep_values: bool, changes_of_drifted_only: bool) -> Plan:
    event, _ = next(events)
    if event != "start_map":
        raise MalformedPlan("the plan is not a JSON object")
    top: dict[str, Any] = {}
    lists: dict[str, tuple[ResourceChange, ...]] = {}
    for event, key in events:
        if event == "end_map":
            break
        if key == "resource_drift" and changes_of_drifted_only and "resource_changes" in lists:
            raise TerraformError(
                "unexpected plan JSON: resource_drift after resource_changes",
                hint="is this plan JSON from terraform or OpenTofu?",
            )
        if key == "resource_changes" and changes_of_drifted_only:
            drifted = frozenset(rc.address for rc in lists.get("resource_drift", ()))
            lists[key] = _read_changes(events, keep_values, drifted)
        elif key in _CHANGE_LISTS:
            lists[key] = _read_changes(events, keep_values)
        elif key in _KEPT:
            top[key] = _build(events, next(events))
        else:
            _skip(events, next(events))
    plan = Plan.from_json(top)  # checks format_version and reads the small parts
    return replace(
        plan,
        resource_changes=lists.get("resource_changes", ()),
        resource_drift=lists.get("resource_drift", ()),
    )


def _read_changes(
    events: _Events, keep_values: bool, values_of: frozenset[str] | None = None
) -> tuple[ResourceChange, ...]:
    """The entries of a change list; with ``values_of``, values only for those addresses."""
    event, _ = next(events)
    if event == "null":
        return ()
    if event != "start_array":
        raise MalformedPlan("resource_changes is not a list")
    found: list[ResourceChange] = []
    for event, _ in events:
        if event == "end_array":
            return tuple(found)
        if event != "start_map":
            raise MalformedPlan("a resource change is not an object")
        found.append(_read_change_entry(events, keep_values, values_of))
    raise MalformedPlan("unterminated list")


def _read_change_entry(
    events: _Events, keep_values: bool, values_of: frozenset[str] | None
) -> ResourceChange:
    fields: dict[str, Any] = {}
    change: dict[str, Any] = {}
    for event, key in events:
        if event == "end_map":
            break
        if key == "change":
            wanted = values_of is None or str(fields.get("address", "")) in values_of
            change = _read_change(events, keep_values and wanted)
        else:
            fields[key] = _build(events, next(events))
    return ResourceChange.from_json({**fields, "change": change})


def _read_change(events: _Events, keep_values: bool) -> dict[str, Any]:
    event, _ = next(events)
    if event != "start_map":
        raise MalformedPlan("a change is not an object")
    change: dict[str, Any] = {}
    for event, key in events:
        if event == "end_map":
            return change
        # terraform writes "actions" first; values of a no-op are never read
        if key in _VALUE_KEYS and (not keep_values or Actions.of(change.get("actions")).noop()):
            _skip(events, next(events))
            continue
        change[key] = _build(events, next(events))
    raise MalformedPlan("unterminated change")


def _build(events: _Events, first: tuple[str, Any]) -> Any:
    event, value = first
    if event == "start_map":
        built: dict[str, Any] = {}
        for event, key in events:
            if event == "end_map":
                return built
            built[key] = _build(events, next(events))
        raise MalformedPlan("unterminated object")
    if event == "start_array":
        items: list[Any] = []
        for item in events:
            if item[0] == "end_array":
                return items
            items.append(_build(events, item))
        raise MalformedPlan("unterminated array")
    if event in ("end_map", "end_array", "map_key"):
        raise MalformedPlan(f"unexpected {event}")
    return value


def _skip(events: _Events, first: tuple[str, Any]) -> None:
    if first[0] not in ("start_map", "start_array"):
        return
    depth = 1
    for event, _ in events:
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return
    raise MalformedPlan("unterminated value")
