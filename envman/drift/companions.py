"""Which companion resources manage which elements of a parent, by the element's identity (pure).

Some resources hold collections whose elements are usually managed by separate resources (a
security group's rules, a network ACL's entries, a route table's routes, a role's attached
policies, a target group's load balancers). For each such parent attribute this module names
the companion resource types, how a companion refers to its parent (by ``id`` or ``arn``,
never by name) and the *full identity* of an element, read from the parent's element and from
the companion: direction, rule number, action, protocol, ports, CIDR / prefix list / source
group, destination and target, policy ARN, inline policy name, load balancer ARN. Zero and -1
are values: a port 0 is compared like any other. An element is managed when a companion of
the same parent yields the same identity; nothing else accounts for it. docs/drift.md lists
the mappings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from envman.drift.identities import (
    CompanionIdentity,
    Identity,
    Refreshed,
    acl_element,
    acl_rule,
    attachment,
    inline_policy_element,
    listener,
    listener_rule,
    load_balancer_element,
    policy_arn_element,
    role_policy,
    route,
    route_element,
    sg_element,
    sg_rule,
    vpc_sg_rule,
)
from envman.terraform.plan_reader import refers_to

# -- the mappings ------------------------------------------------------------------------------

ElementIdentity = Callable[[str, Any, Mapping[str, Any]], list[Identity]]


@dataclass(frozen=True)
class Companion:
    """A resource type managing elements of a parent: the attributes whose values hold the
    parent's ``id`` or ``arn`` (at any depth: its reference), and the identities it manages."""

    types: tuple[str, ...]
    references: tuple[str, ...]
    identities: CompanionIdentity


@dataclass(frozen=True)
class Mapping_:
    parents: tuple[str, ...]
    attributes: tuple[str, ...]
    element: ElementIdentity
    companions: tuple[Companion, ...]
    inline: bool = True  # the stack may configure the elements on the parent itself


_SG_COMPANIONS = (
    Companion(("aws_security_group_rule",), ("security_group_id",), sg_rule),
    Companion(
        ("aws_vpc_security_group_ingress_rule",), ("security_group_id",), vpc_sg_rule("ingress")
    ),
    Companion(
        ("aws_vpc_security_group_egress_rule",), ("security_group_id",), vpc_sg_rule("egress")
    ),
)

MAPPINGS: tuple[Mapping_, ...] = (
    Mapping_(
        ("aws_security_group", "aws_default_security_group"),
        ("ingress", "egress"),
        sg_element,
        _SG_COMPANIONS,
    ),
    Mapping_(
        ("aws_network_acl", "aws_default_network_acl"),
        ("ingress", "egress"),
        acl_element,
        (Companion(("aws_network_acl_rule",), ("network_acl_id",), acl_rule),),
    ),
    Mapping_(
        ("aws_route_table", "aws_default_route_table"),
        ("route",),
        route_element,
        (Companion(("aws_route",), ("route_table_id",), route),),
    ),
    Mapping_(
        ("aws_iam_role",),
        ("managed_policy_arns",),
        policy_arn_element,
        (
            Companion(("aws_iam_role_policy_attachment",), ("role",), attachment),
            Companion(("aws_iam_role_policy_attachments_exclusive",), ("role_name",), attachment),
            Companion(("aws_iam_policy_attachment",), ("roles",), attachment),
        ),
    ),
    Mapping_(
        ("aws_iam_role",),
        ("inline_policy",),
        inline_policy_element,
        (
            Companion(("aws_iam_role_policy",), ("role",), role_policy),
            Companion(("aws_iam_role_policies_exclusive",), ("role_name",), role_policy),
        ),
    ),
    Mapping_(
        ("aws_lb_target_group", "aws_alb_target_group"),
        ("load_balancer_arns",),
        load_balancer_element,
        (
            Companion(("aws_lb_listener", "aws_alb_listener"), ("default_action",), listener),
            Companion(
                ("aws_lb_listener_rule", "aws_alb_listener_rule"), ("action",), listener_rule
            ),
        ),
        inline=False,  # computed only: nothing configures it
    ),
)

PARENT_TYPES = frozenset(t for m in MAPPINGS for t in m.parents)
COMPANION_TYPES = frozenset(t for m in MAPPINGS for c in m.companions for t in c.types)
SCANNED_TYPES = PARENT_TYPES | COMPANION_TYPES  # their values are read whatever their action


def mapping_for(resource_type: str, attribute: str) -> Mapping_ | None:
    for mapping in MAPPINGS:
        if resource_type in mapping.parents and attribute in mapping.attributes:
            return mapping
    return None


def resource_type(address: str) -> str:
    """``module.a["x"].aws_x.name[0]`` -> ``aws_x`` (data sources: ``data.aws_x``)."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in address:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "." and depth == 0:
            parts.append(current)
            current = ""
        elif depth == 0:
            current += char
    parts.append(current)
    while len(parts) >= 2 and parts[0] == "module":
        parts = parts[2:]
    return parts[0] if parts else ""


def _refers(value: Mapping[str, Any], keys: tuple[str, ...], ids: frozenset[str]) -> bool:
    return any(refers_to(value.get(key), ids) for key in keys)


def parent_ids(parent: Mapping[str, Any]) -> frozenset[str]:
    """How companions refer to a parent: its ``id`` and ``arn`` (never its name)."""
    found = (parent.get(key) for key in ("id", "arn"))
    return frozenset(v for v in found if isinstance(v, str) and v)


def companions_of(
    mapping: Mapping_, parent: Mapping[str, Any], refreshed: Refreshed
) -> Iterator[tuple[str, Identity]]:
    """(address, identity) of every element the parent's companions in state manage."""
    ids = parent_ids(parent)
    if not ids:
        return
    for address, value in sorted(refreshed.items()):
        if not isinstance(value, dict):
            continue
        kind = resource_type(address)
        for companion in mapping.companions:
            if kind in companion.types and _refers(value, companion.references, ids):
                for identity in companion.identities(value, parent, refreshed):
                    yield address, identity


def has_companions(mapping: Mapping_, parent: Mapping[str, Any], refreshed: Refreshed) -> bool:
    """Whether a companion in state manages any element of the parent's attribute: then the
    attribute is not configured inline (the provider cannot have both)."""
    return next(companions_of(mapping, parent, refreshed), None) is not None


def managed_by(
    mapping: Mapping_, attribute: str, element: Any, parent: Mapping[str, Any], refreshed: Refreshed
) -> str | None:
    """The companion managing every identity of ``element`` (the first one found), or None."""
    wanted = set(mapping.element(attribute, element, parent))
    if not wanted:
        return None
    found: dict[Identity, str] = {}
    for address, identity in companions_of(mapping, parent, refreshed):
        found.setdefault(identity, address)
    if not wanted <= found.keys():
        return None
    return found[min(wanted, key=repr)]
