"""Whether something new on a resource is accounted for by another resource in state (pure).

For the parent attributes ``envman.drift.companions`` maps (security-group rules, network ACL
entries, routes, a role's attached and inline policies, a target group's load balancers) the
mapping alone decides, by the element's full identity. Every other attribute goes through the
general rule below.

Terraform often manages parts of one object through separate resources: security-group rules
(``aws_security_group_rule``), IAM role attachments and inline policies, S3 bucket
sub-resources (policy, encryption, lifecycle, versioning). The parent's refresh then shows
those parts appearing, in attributes nobody configured on the parent. Such an element is
*accounted for* when a managed resource, other than the parent, in the refreshed state:

1. refers to the parent: one of its values (at any depth) is the parent's ``id`` or ``arn``
   (never its name: two resources named alike are no evidence);
2. does not point at another attribute of the parent: when some of its top-level strings are
   names of the parent's attributes (``type = "ingress"``), the element's attribute is one of
   them (an ingress rule never accounts for an egress element);
3. holds the element: a scalar is equal in meaning to one of its values (at any depth); a
   block is covered by it or by one of its nested blocks: every key both have, where the
   element's value is not empty, is equal in meaning (a list: each item of the element's list
   is in the resource's list; a nested block with no key in common with any of the resource's
   blocks there is not compared — providers name nested fields differently, e.g. ``days`` and
   ``noncurrent_days``), at least one key is compared, and every non-empty string inside the
   element (CIDRs, ids, ARNs, names) is one of the resource's values. Zero values are
   values: a ``0`` or ``false`` in the element is compared wherever the resource has the key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from envman.drift import values
from envman.drift.companions import managed_by, mapping_for, parent_ids, resource_type
from envman.terraform.plan_reader import refers_to


class Accounts:
    """The refreshed values of the managed resources a plan holds, by address."""

    def __init__(self, refreshed: Mapping[str, Any]) -> None:
        self.refreshed = refreshed

    def accounted_by(self, address: str, parent: Any, attribute: str, element: Any) -> str | None:
        """The address of a resource accounting for ``element`` of ``parent``'s ``attribute``."""
        if not isinstance(parent, dict) or values.zero(element):
            return None
        mapping = mapping_for(resource_type(address), attribute)
        if mapping is not None:
            return managed_by(mapping, attribute, element, parent, self.refreshed)
        ids = parent_ids(parent)
        if not ids:
            return None
        for other, value in sorted(self.refreshed.items()):
            if other == address or not isinstance(value, dict) or not refers_to(value, ids):
                continue
            pointers = _pointers(value, parent)
            if pointers and attribute not in pointers:
                continue
            if _holds(value, element):
                return other
        return None


def _pointers(resource: dict[str, Any], parent: Any) -> set[str]:
    if not isinstance(parent, dict):
        return set()
    return {v for v in resource.values() if isinstance(v, str) and v in parent}


def _holds(resource: dict[str, Any], element: Any) -> bool:
    leaves = list(_leaves(resource))
    if not isinstance(element, dict):
        return any(values.same(element, leaf) for leaf in leaves)
    strings = [s for s in _leaves(element) if isinstance(s, str) and s]
    if not all(any(values.same(s, leaf) for leaf in leaves) for s in strings):
        return False
    return any(_covers(block, element) for block in _blocks(resource))


def _covers(block: dict[str, Any], element: dict[str, Any]) -> bool:
    return _compare(block, element) is True


def _compare(block: dict[str, Any], element: dict[str, Any]) -> bool | None:
    """True: covered; False: a key both have differs; None: no key to compare."""
    compared = 0
    for key, wanted in element.items():
        if key not in block or values.empty(wanted) or wanted == "":
            continue
        have = block[key]
        if isinstance(wanted, list):
            if not isinstance(have, list) or not all(_in_list(item, have) for item in wanted):
                return False
        elif not values.same(wanted, have):
            return False
        compared += 1
    return True if compared else None


def _in_list(item: Any, have: list[Any]) -> bool:
    if not isinstance(item, dict):
        return values.contains(have, item)
    verdicts = [_compare(h, item) for h in have if isinstance(h, dict)]
    return True in verdicts or (bool(verdicts) and all(v is None for v in verdicts))


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _blocks(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _blocks(item)
    elif isinstance(value, list):
        for item in value:
            yield from _blocks(item)
