"""The identity of an element, read from a parent's element and from a companion (pure).

Used by ``envman.drift.companions`` (the mappings). An identity is a tuple of every field
that makes the element what it is: direction, rule number, action, protocol (one spelling),
ports (values: 0 is a port; protocol -1 means every port), source, destination, target,
ARN or name. A companion also gets the refreshed state (a listener rule's load balancer is
its listener's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

Identity = tuple[Any, ...]
Refreshed = Mapping[str, Any]  # address -> refreshed value of every managed resource kept
CompanionIdentity = Callable[[Mapping[str, Any], Mapping[str, Any], Refreshed], list[Identity]]

_PROTOCOLS = {"all": "-1", "tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}


def protocol(value: Any) -> str:
    """``tcp``/``6``, ``udp``/``17``, ``icmp``/``1``, ``icmpv6``/``58``, ``-1``/``all``: one
    spelling (the number)."""
    text = str(value if value is not None else "").strip().lower()
    return _PROTOCOLS.get(text, text)


def ports(proto: str, low: Any, high: Any) -> tuple[Any, Any]:
    """Ports as values (0 is a port); protocol -1 means every port, whatever was written."""
    if proto == "-1":
        return ("all", "all")
    return (_int(low), _int(high))


def _int(value: Any) -> Any:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _text(value: Any) -> str:
    """An id as written; a group reference ``account/sg-1`` is the group ``sg-1``."""
    text = str(value or "")
    return text.rsplit("/", 1)[-1] if "/sg-" in text else text


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


# -- security groups ---------------------------------------------------------------------------


def _sg_sources(item: Mapping[str, Any], parent_id: str) -> list[tuple[str, str]]:
    sources = [("cidr", c) for c in _strings(item.get("cidr_blocks"))]
    sources += [("cidr", c) for c in _strings(item.get("ipv6_cidr_blocks"))]
    sources += [("prefix", p) for p in _strings(item.get("prefix_list_ids"))]
    sources += [("group", _text(g)) for g in _strings(item.get("security_groups"))]
    if item.get("self") is True:
        sources.append(("group", parent_id))
    return sources


def sg_element(direction: str, element: Any, parent: Mapping[str, Any]) -> list[Identity]:
    """One identity per source of a group's ingress/egress element."""
    if not isinstance(element, dict):
        return []
    proto = protocol(element.get("protocol"))
    span = ports(proto, element.get("from_port"), element.get("to_port"))
    return [
        (direction, proto, *span, *source) for source in _sg_sources(element, str(parent.get("id")))
    ]


def sg_rule(rule: Mapping[str, Any], parent: Mapping[str, Any], _: Refreshed) -> list[Identity]:
    """aws_security_group_rule: ``type`` is the direction."""
    proto = protocol(rule.get("protocol"))
    span = ports(proto, rule.get("from_port"), rule.get("to_port"))
    item = dict(rule)
    item["security_groups"] = _strings(rule.get("source_security_group_id"))
    return [
        (str(rule.get("type")), proto, *span, *source)
        for source in _sg_sources(item, str(parent.get("id")))
    ]


def vpc_sg_rule(direction: str) -> CompanionIdentity:
    """aws_vpc_security_group_{ingress,egress}_rule: one source each; ``ip_protocol``."""

    def identities(rule: Mapping[str, Any], _: Mapping[str, Any], __: Refreshed) -> list[Identity]:
        proto = protocol(rule.get("ip_protocol"))
        span = ports(proto, rule.get("from_port"), rule.get("to_port"))
        found: list[tuple[str, str]] = []
        for key, kind in (
            ("cidr_ipv4", "cidr"),
            ("cidr_ipv6", "cidr"),
            ("prefix_list_id", "prefix"),
        ):
            found += [(kind, v) for v in _strings(rule.get(key))]
        found += [("group", _text(g)) for g in _strings(rule.get("referenced_security_group_id"))]
        return [(direction, proto, *span, *source) for source in found]

    return identities


# -- network ACLs ------------------------------------------------------------------------------


def _acl_identity(egress: bool, fields: Mapping[str, Any], names: tuple[str, str]) -> Identity:
    number_key, action_key = names
    proto = protocol(fields.get("protocol"))
    icmp = (
        (_int(fields.get("icmp_type")), _int(fields.get("icmp_code")))
        if proto in ("1", "58")
        else ()
    )
    return (
        "egress" if egress else "ingress",
        _int(fields.get(number_key)),
        str(fields.get(action_key) or "").lower(),
        proto,
        *ports(proto, fields.get("from_port"), fields.get("to_port")),
        str(fields.get("cidr_block") or ""),
        str(fields.get("ipv6_cidr_block") or ""),
        *icmp,
    )


def acl_element(direction: str, element: Any, parent: Mapping[str, Any]) -> list[Identity]:
    if not isinstance(element, dict):
        return []
    return [_acl_identity(direction == "egress", element, ("rule_no", "action"))]


def acl_rule(rule: Mapping[str, Any], _: Mapping[str, Any], __: Refreshed) -> list[Identity]:
    """aws_network_acl_rule: ``egress`` true/false is the direction."""
    return [_acl_identity(rule.get("egress") is True, rule, ("rule_number", "rule_action"))]


# -- route tables ------------------------------------------------------------------------------

_DESTINATIONS = (
    ("cidr_block", "destination_cidr_block"),
    ("ipv6_cidr_block", "destination_ipv6_cidr_block"),
    ("destination_prefix_list_id", "destination_prefix_list_id"),
)
_TARGETS = (
    "gateway_id",
    "nat_gateway_id",
    "transit_gateway_id",
    "vpc_peering_connection_id",
    "vpc_endpoint_id",
    "egress_only_gateway_id",
    "carrier_gateway_id",
    "local_gateway_id",
    "core_network_arn",
    "network_interface_id",
)


def _route_identity(fields: Mapping[str, Any], destination_keys: Iterable[str]) -> Identity:
    destination = next((str(fields[k]) for k in destination_keys if fields.get(k)), "")
    target = next((str(fields[k]) for k in _TARGETS if fields.get(k)), "")
    return (destination, target)


def route_element(_: str, element: Any, parent: Mapping[str, Any]) -> list[Identity]:
    if not isinstance(element, dict):
        return []
    return [_route_identity(element, (k for k, _ in _DESTINATIONS))]


def route(route: Mapping[str, Any], _: Mapping[str, Any], __: Refreshed) -> list[Identity]:
    return [_route_identity(route, (k for _, k in _DESTINATIONS))]


# -- IAM roles ---------------------------------------------------------------------------------


def policy_arn_element(_: str, element: Any, parent: Mapping[str, Any]) -> list[Identity]:
    return [(element,)] if isinstance(element, str) and element else []


def attachment(rule: Mapping[str, Any], _: Mapping[str, Any], __: Refreshed) -> list[Identity]:
    return [(a,) for a in _strings(rule.get("policy_arn")) + _strings(rule.get("policy_arns"))]


def inline_policy_element(_: str, element: Any, parent: Mapping[str, Any]) -> list[Identity]:
    if not isinstance(element, dict) or not element.get("name"):
        return []
    return [(str(element["name"]),)]


def role_policy(rule: Mapping[str, Any], _: Mapping[str, Any], __: Refreshed) -> list[Identity]:
    return [(n,) for n in _strings(rule.get("name")) + _strings(rule.get("policy_names"))]


# -- target groups -----------------------------------------------------------------------------


def load_balancer_element(_: str, element: Any, parent: Mapping[str, Any]) -> list[Identity]:
    return [(element,)] if isinstance(element, str) and element else []


def forwards_to(actions: Any, target_group_arn: str) -> bool:
    """Whether a listener's or rule's actions forward to the target group (directly or in a
    weighted ``forward`` block)."""
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, dict):
            continue
        if action.get("target_group_arn") == target_group_arn:
            return True
        for forward in action.get("forward") or []:
            for group in (forward or {}).get("target_group") or []:
                if isinstance(group, dict) and group.get("arn") == target_group_arn:
                    return True
    return False


def listener(
    listener: Mapping[str, Any], parent: Mapping[str, Any], _: Refreshed
) -> list[Identity]:
    if not forwards_to(listener.get("default_action"), str(parent.get("arn"))):
        return []
    return [(a,) for a in _strings(listener.get("load_balancer_arn"))]


def listener_rule(
    rule: Mapping[str, Any], parent: Mapping[str, Any], refreshed: Refreshed
) -> list[Identity]:
    if not forwards_to(rule.get("action"), str(parent.get("arn"))):
        return []
    balancer = load_balancer_of(str(rule.get("listener_arn") or ""), refreshed)
    return [(balancer,)] if balancer else []


def load_balancer_of(listener_arn: str, refreshed: Refreshed) -> str:
    """The load balancer of a listener: from the listener in state, else from its ARN
    (``…:listener/app/NAME/LB-ID/LISTENER-ID`` belongs to ``…:loadbalancer/app/NAME/LB-ID``)."""
    for value in refreshed.values():
        if isinstance(value, dict) and value.get("arn") == listener_arn:
            return str(value.get("load_balancer_arn") or "")
    head, _, rest = listener_arn.partition(":listener/")
    parts = rest.split("/")
    return f"{head}:loadbalancer/{'/'.join(parts[:-1])}" if rest and len(parts) > 1 else ""
