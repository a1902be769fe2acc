"""Elements in state that no managed resource accounts for (pure).

``apply`` writes the refreshed reality into state. An element nobody manages (an SSH rule
opened by hand on a network ACL whose entries are separate ``aws_network_acl_rule``
resources) is then in state, no longer differs from it, and a refresh shows no drift. So the
check also reads the state itself: every element of a parent attribute that
``envman.drift.companions`` maps, which the stack does not configure inline (configured
elements are the stack's: an extra one is reverted by the next apply) and which no companion
in state manages by identity, is an ``added`` element, the same candidate (and fingerprint) as
when it first appeared as drift — when it is surely nobody's:

- the attribute cannot be configured on the parent (a target group's load balancers), or
- a companion in state manages some element of it (the provider cannot mix inline elements
  with companion resources: the parent's attribute is not configured inline), or
- it is ``known``: it was a finding before (the last check's findings or acknowledgements,
  the baseline, or drift an apply kept, recorded in its release).

The configuration the plan shows leaves out ``dynamic`` blocks, so an attribute configured
only through them looks unconfigured: its elements are reported only when known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from envman.drift.accounting import Accounts
from envman.drift.companions import MAPPINGS, has_companions, resource_type
from envman.drift.configured import ConfigIndex
from envman.drift.values import zero

Known = Callable[[str, str, Any], bool]  # (address, attribute, element): a finding before


def unmanaged_elements(
    refreshed: Mapping[str, Any], index: ConfigIndex, accounts: Accounts, known: Known
) -> Iterator[tuple[str, str, Any]]:
    """(address, attribute, element) of every element in state that nothing manages."""
    for address, value in sorted(refreshed.items()):
        if not isinstance(value, dict):
            continue
        kind = resource_type(address)
        for mapping in MAPPINGS:
            if kind not in mapping.parents:
                continue
            sure = not mapping.inline or has_companions(mapping, value, refreshed)
            for attribute in mapping.attributes:
                if index.is_configured(address, (attribute,)):
                    continue
                for element in _elements(value.get(attribute)):
                    if not sure and not known(address, attribute, element):
                        continue
                    if accounts.accounted_by(address, value, attribute, element) is None:
                        yield address, attribute, element


def _elements(collection: Any) -> list[Any]:
    items = collection if isinstance(collection, list) else []
    return [e for e in items if not zero(e) and not _blank(e)]


def _blank(element: Any) -> bool:
    """A block whose every entry is empty (a role without inline policies reads back one
    ``{"name": "", "policy": ""}``)."""
    return isinstance(element, dict) and all(zero(v) for v in element.values())
