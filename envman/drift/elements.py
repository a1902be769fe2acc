"""Differences between two terraform values, collections compared by element (pure).

- maps: key by key (``null`` counts as ``{}``): a key added or removed is an ``update`` from or
  to ``null`` at ``path.key``;
- lists (terraform writes sets as lists too): elements of the same meaning are paired first,
  then nested blocks by identity (``id``, ``name``, ``key``, ``sid``, ``arn``: the value must
  be unique on both sides), then two single-element lists (a block of at most one). A pair that
  differs is diffed inside, at ``path[id="x"]`` or ``path[0]``; an element left over is one
  ``added`` or ``removed`` difference at ``path`` naming the whole element. A list whose
  elements all pair but in another order is one ``update`` of the whole list;
- anything else that differs is an ``update`` at ``path``;
- a difference that is not one in meaning (``values.same``: null vs zero value, JSON text) is
  one ``equivalent`` difference at the highest path where it occurs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from envman.drift.values import Match, Path, same, zero

UPDATE, ADDED, REMOVED, EQUIVALENT = "update", "added", "removed", "equivalent"
IDENTITY_KEYS = ("id", "name", "key", "sid", "arn")


@dataclass(frozen=True)
class Difference:
    path: Path
    expected: Any  # the earlier value (None for an added element)
    actual: Any  # the later value (None for a removed element)
    kind: str = UPDATE

    @property
    def new(self) -> bool:
        """Something appeared that was not there: an added element, or a value where the
        earlier one was null or "" (a map key, an attribute filled in)."""
        if self.kind == ADDED:
            return True
        blank = self.expected is None or self.expected == ""
        return self.kind == UPDATE and blank and not zero(self.actual)


def diff(before: Any, after: Any, path: Path = ()) -> Iterator[Difference]:
    if before == after and type(before) is type(after):
        return
    if same(before, after):
        yield Difference(path, before, after, EQUIVALENT)
        return
    if _mapping(before) and _mapping(after):
        left, right = before or {}, after or {}
        for key in sorted(set(left) | set(right)):
            yield from diff(left.get(key), right.get(key), (*path, key))
        return
    if _sequence(before) and _sequence(after):
        yield from _diff_lists(before or [], after or [], path)
        return
    yield Difference(path, before, after, UPDATE)


def _mapping(value: Any) -> bool:
    return value is None or isinstance(value, dict)


def _sequence(value: Any) -> bool:
    return value is None or isinstance(value, list)


def _diff_lists(before: list[Any], after: list[Any], path: Path) -> Iterator[Difference]:
    pairs = _pair_same(before, after)
    taken = set(pairs.values())
    left = [i for i in range(len(before)) if i not in pairs]
    right = [j for j in range(len(after)) if j not in taken]
    identity = _pair_by_identity(before, after, left, right)
    if not identity and len(before) == len(after) == 1 and left and right:
        identity = {0: (0, 0)}
    for i, (j, part) in identity.items():
        yield from diff(before[i], after[j], (*path, part))
    for i, j in pairs.items():
        if before[i] != after[j]:  # same meaning, other text: one equivalent difference
            yield Difference((*path, j), before[i], after[j], EQUIVALENT)
    for i in left:
        if i not in identity:
            yield Difference(path, before[i], None, REMOVED)
    used = {j for j, _ in identity.values()}
    for j in right:
        if j not in used:
            yield Difference(path, None, after[j], ADDED)
    if not left and not right and any(i != j for i, j in pairs.items()):
        yield Difference(path, before, after, UPDATE)  # the same elements, another order


def _pair_same(before: list[Any], after: list[Any]) -> dict[int, int]:
    """before index -> after index of elements equal in meaning (exact text first: O(n))."""
    by_text: dict[str, list[int]] = {}
    for j, item in enumerate(after):
        by_text.setdefault(_text(item), []).append(j)
    pairs: dict[int, int] = {}
    for i, item in enumerate(before):
        candidates = by_text.get(_text(item))
        if candidates:
            pairs[i] = candidates.pop(0)
    taken = set(pairs.values())
    free = [j for j in range(len(after)) if j not in taken]
    for i, item in enumerate(before):
        if i in pairs:
            continue
        found = next((j for j in free if same(item, after[j])), None)
        if found is not None:
            pairs[i] = found
            free.remove(found)
    return pairs


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _pair_by_identity(
    before: list[Any], after: list[Any], left: list[int], right: list[int]
) -> dict[int, tuple[int, int | Match]]:
    """Leftover blocks paired by the first identity key every one of them has, uniquely."""
    for key in IDENTITY_KEYS:
        old = _identities(before, left, key)
        new = _identities(after, right, key)
        if old is None or new is None:
            continue
        return {i: (new[value], Match(key, value)) for value, i in old.items() if value in new}
    return {}


def _identities(items: list[Any], indexes: list[int], key: str) -> dict[Any, int] | None:
    found: dict[Any, int] = {}
    for index in indexes:
        item = items[index]
        value = item.get(key) if isinstance(item, dict) else None
        if not isinstance(value, str | int) or isinstance(value, bool) or value in ("", None):
            return None
        if value in found:
            return None
        found[value] = index
    return found or None
