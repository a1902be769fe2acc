"""A tfvars file of plain assignments read without python-hcl2.

Most var files are lines of ``name = "text"``, numbers and booleans. python-hcl2 needs ~0.25 s
to load its grammar before it reads the first of them, and tfvars values are never cached
(they may be secrets), so every plan paid it. ``plain_tfvars`` reads such a file with one
regular expression per line and gives exactly what python-hcl2 gives; anything else (a
string with an escape, ``$`` or ``%``, a list, a map, a heredoc, a trailing comment, an
exponent, a repeated name) returns None and the caller parses the file with python-hcl2.
"""

from __future__ import annotations

import re
from typing import Any

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_VALUE = r'"[^"\\$%\x00-\x1f\x7f]*"|-?[0-9]+(?:\.[0-9]+)?|true|false|null'
_ASSIGNMENT = re.compile(rf"[ \t]*({_NAME})[ \t]*=[ \t]*({_VALUE})[ \t]*")
_SKIPPED = re.compile(r"[ \t]*(?:(?:#|//)[^\r]*)?")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


def plain_tfvars(text: str) -> dict[str, Any] | None:
    """The values of a var file made only of plain assignments, blank and comment lines;
    None for any other file (parse it with python-hcl2)."""
    if "\r" in text or "/*" in text:
        return None
    values: dict[str, Any] = {}
    for line in text.split("\n"):
        found = _ASSIGNMENT.fullmatch(line)
        if found is None:
            if _SKIPPED.fullmatch(line) is None:
                return None
            continue
        name, raw = found.groups()
        if name in values:
            return None  # python-hcl2 decides what a repeated name means
        values[name] = _value(raw)
    return values


def _value(raw: str) -> Any:
    if raw.startswith('"'):
        return raw[1:-1]
    if raw in _LITERALS:
        return _LITERALS[raw]
    return float(raw) if "." in raw else int(raw)
