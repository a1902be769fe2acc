"""Attribute paths, recursive diffs of terraform values and sensitivity masks (all pure).

A path is a tuple of keys (str) and list indexes (int). Its text form is dotted, with list
indexes as ``[0]`` and map keys that are not plain identifiers quoted: ``tags["a.b/c"]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

Path = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_MISSING = object()


def format_path(path: Path) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text


def path_prefixes(path: Path) -> list[str]:
    """The text of every prefix of ``path``, shortest first: tags, tags.env."""
    return [format_path(path[:end]) for end in range(1, len(path) + 1)]


def empty(value: Any) -> bool:
    """null, {} and [] mean the same to a provider (normalisation, not drift)."""
    return value is None or value == {} or value == []


def same(left: Any, right: Any) -> bool:
    if empty(left) and empty(right):
        return True
    if isinstance(left, dict) and isinstance(right, dict):
        return all(same(left.get(k), right.get(k)) for k in set(left) | set(right))
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if _same_number(left, right):
        return True
    return type(left) is type(right) and bool(left == right)


def _same_number(left: Any, right: Any) -> bool:
    numbers = (int, float)
    return (
        isinstance(left, numbers)
        and isinstance(right, numbers)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
        and left == right
    )


def diff(before: Any, after: Any, path: Path = ()) -> Iterator[tuple[Path, Any, Any]]:
    """Leaf differences (path, before, after), recursing through maps and lists."""
    if same(before, after):
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            yield from diff(before.get(key), after.get(key), (*path, key))
        return
    if isinstance(before, list) and isinstance(after, list):
        for index in range(max(len(before), len(after))):
            left = before[index] if index < len(before) else None
            right = after[index] if index < len(after) else None
            yield from diff(left, right, (*path, index))
        return
    yield path, before, after


def value_at(value: Any, path: Path) -> Any:
    """The value at ``path``, or None where the path does not exist."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return None
            value = value[part]
        else:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
    return value


def flag_at(mask: Any, path: Path) -> bool:
    """Whether a mask (``after_unknown``, ``*_sensitive``) marks ``path``: true on the path,
    on an ancestor, or anywhere below it."""
    for part in path:
        if mask is True:
            return True
        if isinstance(part, int) and isinstance(mask, list) and part < len(mask):
            mask = mask[part]
        elif isinstance(part, str) and isinstance(mask, dict):
            mask = mask.get(part, _MISSING)
        else:
            return False
    return _contains_true(mask)


def _contains_true(mask: Any) -> bool:
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(_contains_true(v) for v in mask.values())
    if isinstance(mask, list):
        return any(_contains_true(v) for v in mask)
    return False


def contains_text(value: Any, secrets: frozenset[str]) -> bool:
    """Whether any string inside ``value`` contains one of ``secrets``."""
    if not secrets:
        return False
    if isinstance(value, str):
        return any(secret in value for secret in secrets)
    if isinstance(value, dict):
        return any(contains_text(k, secrets) or contains_text(v, secrets) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_text(v, secrets) for v in value)
    return False


def strip_instance_keys(address: str) -> str:
    """``module.a[0].aws_x.b["k"]`` -> ``module.a.aws_x.b`` (the configuration address)."""
    out: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    for char in address:
        if depth:
            if quoted:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    quoted = False
            elif char == '"':
                quoted = True
            elif char == "]":
                depth -= 1
            continue
        if char == "[":
            depth += 1
            continue
        out.append(char)
    return "".join(out)


def short(value: Any, limit: int = 60) -> str:
    """One-line display of a value for tables."""
    if value is None:
        return "null"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
