"""Names that reach a path or a state key: environments and components.

A name is an identifier — a lowercase letter, then up to 62 lowercase letters, digits, ``-`` or
``_`` — so it can never climb out of a folder (``..``, ``/``), hide in one (``.``), or break a
path, a key or a command line (spaces, 250 characters). Anything else is a configuration error.
"""

from __future__ import annotations

import re

IDENTIFIER = re.compile(r"[a-z][a-z0-9_-]{0,62}")
RULE = "a lowercase letter, then up to 62 lowercase letters, digits, '-' or '_'"


def is_identifier(name: str) -> bool:
    return IDENTIFIER.fullmatch(name) is not None


def shown(name: str) -> str:
    """The name as an error shows it: control characters escaped, long names cut."""
    text = name.encode("unicode_escape").decode("ascii")
    return text if len(text) <= 40 else text[:37] + "..."


def identifier_problem(kind: str, name: str) -> str | None:
    """Why ``name`` cannot name a ``kind`` (None: it can)."""
    if is_identifier(name):
        return None
    return f"{kind} name '{shown(name)}' is not an identifier: use {RULE}"
