"""Attribute-level changes of a plan, compact: ``path: old → new`` per changed attribute.

Values marked sensitive (before or after) show as ``<sensitive>``; values terraform does not
know yet as ``(known after apply)``. Lists of the same length and objects are compared by
element; lists of scalars that grew or shrank are shown whole. Attributes whose change
forces a replacement are marked. Created resources list their set attributes, deleted ones
nothing (their address says it all).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from envman.terraform.models import ResourceChange

SENSITIVE = "<sensitive>"
UNKNOWN = "(known after apply)"
MAX_VALUE = 80
MAX_LINES = 20  # per resource
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_SIGN = {"create": "+", "update": "~", "delete": "-", "replace": "-/+"}


@dataclass(frozen=True)
class AttributeChange:
    path: str
    old: str | None  # None: the attribute is new (create)
    new: str
    forces_replacement: bool = False

    def line(self) -> str:
        mark = "  # forces replacement" if self.forces_replacement else ""
        if self.old is None:
            return f"{self.path} = {self.new}{mark}"
        return f"{self.path}: {self.old} → {self.new}{mark}"


@dataclass(frozen=True)
class _Marks:
    unknown: Any
    before_sensitive: Any
    after_sensitive: Any

    def sub(self, key: str | int) -> _Marks:
        return _Marks(
            _at(self.unknown, key), _at(self.before_sensitive, key), _at(self.after_sensitive, key)
        )


def action_of(rc: ResourceChange) -> str:
    return str(rc.change.actions)


def attribute_changes(rc: ResourceChange) -> list[AttributeChange]:
    """The changed attributes of one resource change (none for a delete or a no-op)."""
    change = rc.change
    if change.actions.delete() or change.actions.noop():
        return []
    marks = _Marks(change.after_unknown, change.before_sensitive, change.after_sensitive)
    creating = change.actions.create()
    found: list[AttributeChange] = []
    _walk("", None if creating else change.before, change.after, marks, creating, found)
    replace_paths = [_path_text(p) for p in (change.replace_paths or []) if isinstance(p, list)]
    return [AttributeChange(a.path, a.old, a.new, _forces(a.path, replace_paths)) for a in found]


def render_resource(rc: ResourceChange, limit: int = MAX_LINES) -> list[str]:
    """A header line and indented attribute lines, for text output and Markdown diffs."""
    action = action_of(rc)
    reason = f", {rc.action_reason.replace('_', ' ')}" if rc.action_reason else ""
    lines = [f"{_SIGN.get(action, '?')} {rc.address} ({action}{reason})"]
    changes = attribute_changes(rc)
    lines += [f"    {c.line()}" for c in changes[:limit]]
    if len(changes) > limit:
        lines.append(f"    … {len(changes) - limit} more attribute(s)")
    return lines


def render_plan_diff(changes: Sequence[ResourceChange]) -> list[str]:
    lines: list[str] = []
    for rc in changes:
        if rc.mode != "managed" or rc.change.actions.noop():
            continue
        lines += render_resource(rc)
    return lines


def _walk(
    path: str, before: Any, after: Any, marks: _Marks, creating: bool, out: list[AttributeChange]
) -> None:
    if marks.unknown is True:
        out.append(
            AttributeChange(
                path, None if creating else _show(before, marks.before_sensitive), UNKNOWN
            )
        )
        return
    if marks.before_sensitive is True or marks.after_sensitive is True:
        if before != after:
            old = None if creating else _show(before, marks.before_sensitive)
            out.append(AttributeChange(path, old, _show(after, marks.after_sensitive)))
        return
    if isinstance(after, dict) and isinstance(before, dict | None):
        old_map: dict[str, Any] = before or {}
        unknown = marks.unknown if isinstance(marks.unknown, dict) else {}
        for key in sorted(set(old_map) | set(after) | set(unknown)):
            _walk(_join(path, key), old_map.get(key), after.get(key), marks.sub(key), creating, out)
        return
    if isinstance(after, list) and isinstance(before, list | None):
        old_list = before or []
        scalars = all(not isinstance(v, dict | list) for v in [*old_list, *after])
        if len(old_list) == len(after) or not scalars:
            for index in range(max(len(old_list), len(after))):
                old_item = old_list[index] if index < len(old_list) else None
                new_item = after[index] if index < len(after) else None
                _walk(f"{path}[{index}]", old_item, new_item, marks.sub(index), creating, out)
            return
    if before == after or (creating and after is None):
        return
    out.append(AttributeChange(path, None if creating else value_text(before), value_text(after)))


def _show(value: Any, sensitive_mark: Any) -> str:
    return SENSITIVE if sensitive_mark is True or _any_true(sensitive_mark) else value_text(value)


def _any_true(mark: Any) -> bool:
    if mark is True:
        return True
    if isinstance(mark, dict):
        return any(_any_true(v) for v in mark.values())
    if isinstance(mark, list):
        return any(_any_true(v) for v in mark)
    return False


def value_text(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _at(mark: Any, key: str | int) -> Any:
    if mark is True:
        return True
    if isinstance(mark, dict) and isinstance(key, str):
        return mark.get(key, False)
    if isinstance(mark, list) and isinstance(key, int) and key < len(mark):
        return mark[key]
    return False


def _join(path: str, key: str) -> str:
    if _IDENT.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _path_text(steps: list[Any]) -> str:
    path = ""
    for step in steps:
        path = f"{path}[{step}]" if isinstance(step, int) else _join(path, str(step))
    return path


def _forces(path: str, replace_paths: list[str]) -> bool:
    return any(path == p or path.startswith((p + ".", p + "[")) for p in replace_paths if p)
