"""Redaction of text envman passes on (policy output, diffs): the run's sensitive values.

envman's project-wide redactor (docs/security.md) is a ``Redact`` too; ``chain`` composes it
with the values this module finds in the plan itself, so both apply.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from envman.terraform.models import Change, Plan

Redact = Callable[[str], str]
SENSITIVE = "<sensitive>"
_MIN_SECRET = 4  # shorter values would redact ordinary words ("on", "1")


def identity(text: str) -> str:
    return text


def chain(*steps: Redact) -> Redact:
    def run(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    return run


def replacing(secrets: Iterable[str]) -> Redact:
    """A redactor that replaces each of SECRETS (longest first) with <sensitive>."""
    ordered = sorted({s for s in secrets if len(s) >= _MIN_SECRET}, key=len, reverse=True)

    def run(text: str) -> str:
        for secret in ordered:
            text = text.replace(secret, SENSITIVE)
        return text

    return run


def plan_secrets(plan: Plan, sensitive_variables: Iterable[str]) -> set[str]:
    """The plan's sensitive values as text: sensitive variables and values marked sensitive."""
    found: set[str] = set()
    for name in sensitive_variables:
        raw = plan.variables.get(name)
        if isinstance(raw, dict):
            _texts(raw.get("value"), found)
    changes: list[Change] = [rc.change for rc in plan.resource_changes]
    changes += list(plan.output_changes.values())
    for change in changes:
        _marked(change.before, change.before_sensitive, found)
        _marked(change.after, change.after_sensitive, found)
    return found


def _marked(value: Any, mark: Any, found: set[str]) -> None:
    if mark is True:
        _texts(value, found)
    elif isinstance(mark, dict) and isinstance(value, dict):
        for key, sub in mark.items():
            _marked(value.get(key), sub, found)
    elif isinstance(mark, list) and isinstance(value, list):
        for index, sub in enumerate(mark):
            if index < len(value):
                _marked(value[index], sub, found)


def _texts(value: Any, found: set[str]) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        found.add(value)
    elif isinstance(value, dict):
        found.add(json.dumps(value, sort_keys=True))
        for sub in value.values():
            _texts(sub, found)
    elif isinstance(value, list):
        for sub in value:
            _texts(sub, found)
    else:
        found.add(json.dumps(value))
