"""Readable changes of JSON documents: policies by statement, container definitions by name.

A finding on an IAM, bucket, KMS or queue policy (or an ECS task's container definitions)
holds two JSON strings that differ somewhere inside; cut to a table cell they look alike. The
text and Markdown reports say instead what changed, one line each:

- a policy (an object with ``Statement``): statements are paired by ``Sid`` when they have one,
  else by equal content, else in order; ``+ statement "Everything": Allow s3:* on
  arn:aws:s3:::b/* to *`` (added), ``- statement ...`` (removed), ``~ statement "AppRead":
  Principal {"AWS": "arn:…"} -> "*"`` (changed: each of Sid, Effect, Principal, NotPrincipal,
  Action, NotAction, Resource, NotResource, Condition that differs);
- container definitions (a list of objects with ``name``): ``+ container "x"``, ``- container
  "x"``, ``~ container "app": image "a:1" -> "b:2"`` for each key that differs.

Anything else (or a redacted value) gives no lines; the JSON report keeps the full values.
"""

from __future__ import annotations

import json
from typing import Any

from envman.drift.values import same, short

_FIELDS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)


def document_changes(expected: Any, actual: Any) -> list[str]:
    """One line per statement or container that was added, removed or changed."""
    blocks = [v for v in (expected, actual) if isinstance(v, dict)]
    only_blocks = all(isinstance(v, dict) or v is None for v in (expected, actual))
    if blocks and only_blocks and any(isinstance(b.get("policy"), str) for b in blocks):
        # an inline policy block (a role's inline_policy element)
        return document_changes((expected or {}).get("policy"), (actual or {}).get("policy"))
    before, after = _parse(expected), _parse(actual)
    if _is_policy(before) or _is_policy(after):
        return _policy_lines(_statements(before), _statements(after))
    if _is_containers(before) and _is_containers(after):
        return _container_lines(before, after)
    return []


def _parse(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict | list) else None


def _is_policy(value: Any) -> bool:
    return isinstance(value, dict) and "Statement" in value


def _statements(value: Any) -> list[dict[str, Any]]:
    found = value.get("Statement") if isinstance(value, dict) else None
    found = [found] if isinstance(found, dict) else found
    return [s for s in found or [] if isinstance(s, dict)]


def _pairs(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(changed pairs, removed, added): equal statements drop out, then pairs by Sid, then
    leftovers pair in order."""
    left, right = list(before), list(after)
    for item in list(left):
        match = next((other for other in right if same(item, other)), None)
        if match is not None:
            left.remove(item)
            right.remove(match)
    pairs = []
    for item in list(left):
        sid = item.get("Sid")
        match = next((o for o in right if sid and o.get("Sid") == sid), None)
        if match is not None:
            pairs.append((item, match))
            left.remove(item)
            right.remove(match)
    unnamed_left = [s for s in left if not s.get("Sid")]
    unnamed_right = [s for s in right if not s.get("Sid")]
    for item, match in zip(unnamed_left, unnamed_right, strict=False):
        pairs.append((item, match))
        left.remove(item)
        right.remove(match)
    return pairs, left, right


def _policy_lines(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    pairs, removed, added = _pairs(before, after)
    lines = [f"+ statement {_summary(s)}" for s in added]
    lines += [f"- statement {_summary(s)}" for s in removed]
    for old, new in pairs:
        changed = [
            f"{key} {_show(old.get(key))} -> {_show(new.get(key))}"
            for key in _FIELDS
            if not same(old.get(key), new.get(key))
        ]
        lines.append(f"~ statement {_name(new)}: {'; '.join(changed)}")
    return lines


def _name(statement: dict[str, Any]) -> str:
    sid = statement.get("Sid")
    return json.dumps(sid) if sid else "(no Sid)"


def _summary(statement: dict[str, Any]) -> str:
    text = f"{_name(statement)}: {statement.get('Effect', '?')} {_show(statement.get('Action'))}"
    if "NotAction" in statement:
        text += f" except {_show(statement['NotAction'])}"
    text += f" on {_show(statement.get('Resource', statement.get('NotResource')))}"
    if "Principal" in statement or "NotPrincipal" in statement:
        text += f" to {_show(statement.get('Principal', statement.get('NotPrincipal')))}"
    if statement.get("Condition"):
        text += f" if {_show(statement['Condition'])}"
    return text


def _show(value: Any) -> str:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str):
        return value
    return short(value, 100)


def _is_containers(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(c, dict) and isinstance(c.get("name"), str) for c in value)
    )


def _container_lines(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    old = {c["name"]: c for c in before}
    new = {c["name"]: c for c in after}
    lines = [f"+ container {json.dumps(n)}" for n in sorted(new.keys() - old.keys())]
    lines += [f"- container {json.dumps(n)}" for n in sorted(old.keys() - new.keys())]
    for name in sorted(old.keys() & new.keys()):
        keys = sorted(set(old[name]) | set(new[name]))
        changed = [
            f"{k} {short(old[name].get(k), 60)} -> {short(new[name].get(k), 60)}"
            for k in keys
            if not same(old[name].get(k), new[name].get(k))
        ]
        if changed:
            lines.append(f"~ container {json.dumps(name)}: {'; '.join(changed)}")
    return lines
