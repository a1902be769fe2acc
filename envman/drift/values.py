"""Attribute paths, values compared by meaning, and sensitivity masks (all pure).

A path is a tuple of keys (str), list indexes (int) and identity selectors (``Match``: the
element of a list whose ``key`` has ``value``). Its text form is dotted, with list indexes as
``[0]``, selectors as ``[id="rate"]`` and map keys that are not plain identifiers quoted:
``tags["a.b/c"]``.

Two values are the *same* when they mean the same to a provider: ``null`` and its type's zero
value (``0``, ``false``, ``""``, ``[]``, ``{}``) at any depth, ``[]`` and ``{}``, ``1`` and
``1.0``, and two strings holding JSON objects or arrays of the same meaning (whitespace, key
order).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_MISSING = object()
_NOT_JSON = object()


@dataclass(frozen=True)
class Match:
    """The element of a list that has ``key`` = ``value`` (a nested block's identity)."""

    key: str
    value: str | int | float


Path = tuple[str | int | Match, ...]


def format_path(path: Path) -> str:
    text = ""
    for part in path:
        if isinstance(part, Match):
            text += f"[{part.key}={json.dumps(part.value)}]"
        elif isinstance(part, int):
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


def zero(value: Any) -> bool:
    """null or a type's zero value: what a provider reads back for "not set"."""
    if value is None or isinstance(value, bool):
        return value is None or value is False
    if isinstance(value, int | float):
        return bool(value == 0)
    return bool(value == "" or value == [] or value == {})


def same(left: Any, right: Any) -> bool:
    """Equal in meaning (see the module docstring)."""
    if left is None or right is None:
        return zero(left) and zero(right)
    if empty(left) and empty(right):
        return True
    if isinstance(left, dict) and isinstance(right, dict):
        return all(same(left.get(k), right.get(k)) for k in set(left) | set(right))
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if _same_number(left, right):
        return True
    if isinstance(left, str) and isinstance(right, str) and left != right:
        return same_json(left, right)
    return type(left) is type(right) and bool(left == right)


def same_json(left: str, right: str) -> bool:
    """Two strings that both hold a JSON object or array of the same meaning."""
    parsed_left, parsed_right = _parse_json(left), _parse_json(right)
    if parsed_left is _NOT_JSON or parsed_right is _NOT_JSON:
        return False
    return same(parsed_left, parsed_right)


@lru_cache(maxsize=256)
def _parse_json(text: str) -> Any:
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{":
        return _NOT_JSON
    try:
        return json.loads(stripped)
    except ValueError:
        return _NOT_JSON


def _same_number(left: Any, right: Any) -> bool:
    numbers = (int, float)
    return (
        isinstance(left, numbers)
        and isinstance(right, numbers)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
        and left == right
    )


def value_at(value: Any, path: Path) -> Any:
    """The value at ``path``, or None where the path does not exist."""
    for part in path:
        if isinstance(part, Match):
            if not isinstance(value, list):
                return None
            value = next((v for v in value if matches(v, part)), None)
        elif isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return None
            value = value[part]
        else:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
    return value


def matches(element: Any, match: Match) -> bool:
    return isinstance(element, dict) and same(element.get(match.key), match.value)


def concrete(value: Any, path: Path) -> Path | None:
    """``path`` with its selectors resolved to indexes in ``value`` (to read masks)."""
    out: list[str | int | Match] = []
    for part in path:
        if isinstance(part, Match):
            if not isinstance(value, list):
                return None
            index = next((i for i, v in enumerate(value) if matches(v, part)), None)
            if index is None:
                return None
            out.append(index)
            value = value[index]
        else:
            out.append(part)
            value = value_at(value, (part,))
    return tuple(out)


def contains(collection: Any, element: Any) -> bool:
    """Whether a list holds an element of the same meaning."""
    return isinstance(collection, list) and any(same(item, element) for item in collection)


def flag_at(mask: Any, path: Path) -> bool:
    """Whether a mask (``after_unknown``, ``*_sensitive``) marks ``path``: true on the path,
    on an ancestor, or anywhere below it."""
    for part in path:
        if mask is True:
            return True
        if isinstance(part, Match):
            return _contains_true(mask)  # unresolved selector: any flag in the list counts
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
    """One-line display of a value for tables (empty entries of blocks left out)."""
    if value is None:
        return "null"
    shown = compact(value)
    text = shown if isinstance(shown, str) else json.dumps(shown, sort_keys=True, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compact(value: Any) -> Any:
    """``value`` without the null, "", [] and {} entries of its maps (for display)."""
    if isinstance(value, dict):
        kept = {k: compact(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if not empty(v) and v != ""}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value
