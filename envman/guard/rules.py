"""Destroy guards: which deleted or replaced addresses a plan may not touch (docs/review.md).

``prevent_destroy`` holds address globs: ``*`` matches any text (dots and brackets included),
``?`` one character, everything else is literal (``aws_s3_bucket.b["x"]`` needs no escaping).
``--allow-destroy ADDR`` names one exact address; it lets that address through both checks.
A ``destroy`` run ignores ``max_destroy`` but never ``prevent_destroy``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from envman.config.models import Guard
from envman.guard.model import DestroyAction, Destroyed, GuardResult

# actions of terraform's streamed planned_change messages (and of show -json, joined)
_DESTROYING = {
    "delete": DestroyAction.DELETE,
    "replace": DestroyAction.REPLACE,
    "create+delete": DestroyAction.REPLACE,
    "delete+create": DestroyAction.REPLACE,
}


@lru_cache(maxsize=512)
def address_glob(pattern: str) -> re.Pattern[str]:
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts), re.DOTALL)


def protected_by(address: str, globs: Sequence[str]) -> str | None:
    """The first prevent_destroy glob matching ADDRESS, or None."""
    for pattern in globs:
        if address_glob(pattern.strip()).fullmatch(address):
            return pattern
    return None


def destroying(changes: Iterable[tuple[str, str]]) -> list[tuple[str, DestroyAction]]:
    """(address, action) pairs of the changes that delete or replace something."""
    found = []
    for address, action in changes:
        kind = _DESTROYING.get(action)
        if kind is not None and address:
            found.append((address, kind))
    return found


def evaluate_guard(
    changes: Iterable[tuple[str, str]],
    guard: Guard | None,
    allow_destroy: Sequence[str] = (),
    *,
    destroy_run: bool = False,
) -> GuardResult:
    """Judge a plan's changes ((address, action) pairs) against the environment's guard."""
    globs = guard.prevent_destroy if guard is not None else []
    allowed = set(allow_destroy)
    destroyed = tuple(
        Destroyed(
            address=address,
            action=action,
            protected_by=protected_by(address, globs),
            allowed=address in allowed,
        )
        for address, action in destroying(changes)
    )
    cap = None if guard is None or destroy_run else guard.max_destroy
    return GuardResult(destroyed=destroyed, max_destroy=cap, configured=guard is not None)


def unused_allowances(result: GuardResult, allow_destroy: Sequence[str]) -> list[str]:
    """--allow-destroy addresses this plan does not delete or replace (worth a warning)."""
    touched = {d.address for d in result.destroyed}
    return [a for a in allow_destroy if a not in touched]
