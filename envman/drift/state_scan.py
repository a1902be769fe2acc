"""Whether a state may hold elements nobody manages, read from the state document (pure).

An environment whose plan reports no drift and no change costs one plan and no ``show -json``.
But an element nobody manages that an apply wrote into state (``envman.drift.unmanaged``)
shows as no drift at all, and the configuration — needed to tell an element the stack
configures inline from one nobody manages — is only in the shown plan. So the check reads the
state document (a file or one S3 object: no terraform, no provider) and looks for elements no
companion accounts for, as if nothing were configured inline (of the elements it can be sure
about, see ``unmanaged``; elements known from earlier findings make the check look on their
own); only when it finds one does the check pay for the ``show -json`` that decides with the
configuration.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from envman.drift.accounting import Accounts
from envman.drift.companions import SCANNED_TYPES
from envman.drift.configured import ConfigIndex
from envman.drift.unmanaged import unmanaged_elements
from envman.drift.values import strip_instance_keys


def state_values(document: Mapping[str, Any]) -> dict[str, Any]:
    """address -> attributes of the managed instances of the types drift accounts for."""
    found: dict[str, Any] = {}
    for resource in document.get("resources") or []:
        if not isinstance(resource, dict) or resource.get("mode") != "managed":
            continue
        kind = resource.get("type")
        if kind not in SCANNED_TYPES:
            continue
        module = f"{resource['module']}." if resource.get("module") else ""
        base = f"{module}{kind}.{resource.get('name')}"
        for instance in resource.get("instances") or []:
            key = instance.get("index_key")
            suffix = "" if key is None else f"[{json.dumps(key)}]"
            found[base + suffix] = instance.get("attributes")
    return found


def may_hold_unmanaged(document: Mapping[str, Any]) -> bool:
    """Whether some element in the state is accounted for by no companion (configuration
    unknown: inline elements count as candidates too)."""
    refreshed = state_values(document)
    if not refreshed:
        return False
    nothing_configured = ConfigIndex(
        configured={strip_instance_keys(a): frozenset() for a in refreshed}, sensitive={}
    )
    elements = unmanaged_elements(
        refreshed, nothing_configured, Accounts(refreshed), lambda *_: False
    )
    return next(elements, None) is not None


def reads_state(previous: dict[str, Any] | None, absorbed: Any) -> bool:
    """Whether the state may hold elements nobody manages, with no drift to show them: the
    last check found or acknowledged something, or an apply kept drift (its release says)."""
    doc = previous or {}
    return bool(doc.get("findings") or doc.get("acknowledged") or absorbed)


def state_mark(document: dict[str, Any] | None, code: str = "") -> dict[str, Any] | None:
    """Which state a check read (lineage and serial) with which stack code (its digest), to
    look again only once either changed."""
    if not document:
        return None
    return {"lineage": document.get("lineage"), "serial": document.get("serial"), "code": code}


def state_suspect(document: dict[str, Any] | None, seen: Any = None, code: str = "") -> bool:
    """The state object (read directly, where envman can) holds an element no companion
    accounts for, and it is not the state the last check read (``seen``, its mark): the shown
    plan decides whether the element is one nobody manages."""
    if document is None or (seen is not None and seen == state_mark(document, code)):
        return False
    return may_hold_unmanaged(document)
