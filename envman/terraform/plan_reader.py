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
  resource drifted or it is an in-place update (all drift classification reads of them), and a
  no-op entry keeps its ``before`` (the refreshed state) only when it refers to a drifted
  resource (holds its ``id``, ``arn`` or ``name``: it may account for what appeared there, see
  ``envman.drift.accounting``); entries of the types whose elements drift accounts for by
  identity (``envman.drift.companions``: security groups and their rules, network ACLs and
  their entries, ...) keep their values whatever their action, so elements in state that
  no resource manages are reported after they were applied; an entry is built, looked at and
  dropped one at a time.
  terraform writes ``resource_drift`` before ``resource_changes`` (and leaves it out when
  empty); a document in the other order is refused rather than read wrong;
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
_IDENTITY_KEYS = ("id", "arn", "name")


def identifiers(value: Any) -> frozenset[str]:
    """The strings other resources use to refer to this one: its ``id``, ``arn``, ``name``."""
    if not isinstance(value, dict):
        return frozenset()
    found = (value.get(key) for key in _IDENTITY_KEYS)
    return frozenset(v for v in found if isinstance(v, str) and len(v) >= 3)


def refers_to(value: Any, ids: frozenset[str]) -> bool:
    """Whether a string anywhere in ``value`` is one of ``ids``."""
    if isinstance(value, str):
        return value in ids
    if isinstance(value, dict):
        return any(refers_to(item, ids) for item in value.values())
    if isinstance(value, list):
        return any(refers_to(item, ids) for item in value)
    return False


def read_plan(
    stream: IO[bytes],
    *,
    keep_values: bool = True,
    changes_of_drifted_only: bool = False,
    scanned: frozenset[str] = frozenset(),
) -> Plan:
    """The plan in ``stream`` (``show -json`` output). Without ``keep_values`` no resource's
    values are kept at all (enough for a summary and the list of changes); with
    ``changes_of_drifted_only``, only those drift reads, and every value of the ``scanned``
    resource types (drift's companion rules: ``envman.drift.companions.SCANNED_TYPES``)."""
    import ijson

    try:
        wanted = scanned if changes_of_drifted_only else None
        return _read(ijson.basic_parse(stream, use_float=True), keep_values, wanted)
    except (ijson.JSONError, UnicodeDecodeError) as exc:  # not JSON at all
        raise MalformedPlan(f"{type(exc).__name__}: {exc}") from None
    except StopIteration:  # the document ended in the middle
        raise MalformedPlan("the document ends early") from None
    except RecursionError:
        raise MalformedPlan("values nested too deeply") from None
    # anything else is a bug in envman: it is not disguised as a malformed plan


def _read(events: _Events, keep_values: bool, scanned: frozenset[str] | None) -> Plan:
    changes_of_drifted_only = scanned is not None
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
            lists[key] = _read_changes(
                events,
                keep_values,
                _Wanted(lists.get("resource_drift", ()), scanned or frozenset()),
            )
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


class _Wanted:
    """Which values of ``resource_changes`` drift classification reads (see the docstring)."""

    def __init__(self, drift: tuple[ResourceChange, ...], scanned: frozenset[str]) -> None:
        self.types = scanned  # drift's own rule of what it reads, whatever the action
        self.drifted = frozenset(rc.address for rc in drift)
        ids: set[str] = set()
        for rc in drift:
            ids |= identifiers(rc.change.before) | identifiers(rc.change.after)
        self.ids = frozenset(ids)

    def values_of(self, address: Any, actions: tuple[str, ...]) -> bool:
        return address in self.drifted or actions == ("update",)

    def refreshed_of(self, before: Any) -> bool:
        return bool(self.ids) and isinstance(before, dict) and refers_to(before, self.ids)


def _read_changes(
    events: _Events, keep_values: bool, wanted: _Wanted | None = None
) -> tuple[ResourceChange, ...]:
    """The entries of a change list; with ``wanted``, only the values it wants."""
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
        found.append(_read_change_entry(events, keep_values, wanted))
    raise MalformedPlan("unterminated list")


def _read_change_entry(
    events: _Events, keep_values: bool, wanted: _Wanted | None
) -> ResourceChange:
    fields: dict[str, Any] = {}
    change: dict[str, Any] = {}
    for event, key in events:
        if event == "end_map":
            break
        if key == "change":
            if keep_values and wanted is not None and fields.get("type") in wanted.types:
                change = _build(events, next(events))  # kept whole (see the docstring)
                continue
            change = _read_change(events, keep_values, fields.get("address"), wanted)
        else:
            fields[key] = _build(events, next(events))
    return ResourceChange.from_json({**fields, "change": change})


def _read_change(
    events: _Events, keep_values: bool, address: Any, wanted: _Wanted | None
) -> dict[str, Any]:
    event, _ = next(events)
    if event != "start_map":
        raise MalformedPlan("a change is not an object")
    change: dict[str, Any] = {}
    judged: tuple[tuple[str, ...], bool] | None = None  # (actions, no-op), once per change
    for event, key in events:
        if event == "end_map":
            return change
        if key in _VALUE_KEYS:
            # terraform writes "actions" first; values of a no-op are never read
            if judged is None:
                raw = change.get("actions")
                judged = (tuple(raw or ()), Actions.of(raw).noop())
            actions, noop = judged
            if keep_values and wanted and wanted.ids and noop and key == "before":
                before = _build(events, next(events))  # one entry's values at a time
                if wanted.refreshed_of(before):
                    change[key] = before
                continue
            if (
                not keep_values
                or noop
                or (wanted is not None and not wanted.values_of(address, actions))
            ):
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
