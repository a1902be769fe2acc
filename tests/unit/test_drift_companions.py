"""The identity mappings of companion resources (envman.drift.companions): each parent
attribute's elements are managed only by a companion of the same parent (by id or ARN) with
the element's full identity; zero and -1 are values."""

from __future__ import annotations

from typing import Any

import pytest

from envman.drift.accounting import Accounts
from envman.drift.companions import resource_type
from envman.drift.identities import load_balancer_of, protocol

ACL = {"id": "acl-1", "arn": "arn:aws:ec2:us-east-1:1:network-acl/acl-1"}
SG = {"id": "sg-1", "arn": "arn:aws:ec2:us-east-1:1:security-group/sg-1"}


def acl_entry(rule_no: int, protocol: str, ports: tuple[int, int], cidr: str = "0.0.0.0/0") -> Any:
    return {
        "action": "allow",
        "cidr_block": cidr,
        "from_port": ports[0],
        "to_port": ports[1],
        "icmp_code": 0,
        "icmp_type": 0,
        "ipv6_cidr_block": "",
        "protocol": protocol,
        "rule_no": rule_no,
    }


def acl_rule(number: int, egress: bool, protocol: str, ports: tuple[int, int]) -> Any:
    return {
        "network_acl_id": "acl-1",
        "rule_number": number,
        "egress": egress,
        "protocol": protocol,
        "rule_action": "allow",
        "cidr_block": "0.0.0.0/0",
        "from_port": ports[0],
        "to_port": ports[1],
    }


ACL_RULES: dict[str, Any] = {
    "aws_network_acl.public": ACL,
    "aws_network_acl_rule.public_outbound[0]": acl_rule(100, True, "-1", (0, 0)),
    "aws_network_acl_rule.public_inbound[1]": acl_rule(110, False, "tcp", (1024, 65535)),
}


def acl_account(attribute: str, element: Any) -> str | None:
    return Accounts(ACL_RULES).accounted_by("aws_network_acl.public", ACL, attribute, element)


def test_an_inbound_allow_all_is_not_accounted_for_by_an_egress_rule() -> None:
    assert acl_account("ingress", acl_entry(90, "-1", (0, 0))) is None
    assert acl_account("egress", acl_entry(100, "-1", (0, 0))) == (
        "aws_network_acl_rule.public_outbound[0]"
    )


def test_ports_zero_are_values_and_the_rule_number_is_identity() -> None:
    assert acl_account("ingress", acl_entry(120, "6", (0, 65535))) is None
    assert acl_account("ingress", acl_entry(110, "6", (1024, 65535))) == (
        "aws_network_acl_rule.public_inbound[1]"
    )
    assert acl_account("ingress", acl_entry(111, "6", (1024, 65535))) is None


def test_protocol_spellings_are_one() -> None:
    assert protocol("tcp") == protocol("6") == "6"
    assert protocol("all") == protocol("-1") == "-1"
    assert protocol("icmp") == "1"


def sg_element(protocol: str, ports: tuple[int, int], **sources: Any) -> Any:
    element = {
        "cidr_blocks": [],
        "description": "",
        "from_port": ports[0],
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": protocol,
        "security_groups": [],
        "self": False,
        "to_port": ports[1],
    }
    return {**element, **sources}


SG_RULES: dict[str, Any] = {
    "aws_security_group.alb": SG,
    "aws_vpc_security_group_egress_rule.alb_all": {
        "security_group_id": "sg-1",
        "ip_protocol": "-1",
        "cidr_ipv4": "10.30.0.0/16",
        "from_port": None,
        "to_port": None,
    },
    'aws_vpc_security_group_ingress_rule.alb["https"]': {
        "security_group_id": "sg-1",
        "ip_protocol": "tcp",
        "cidr_ipv4": "10.0.0.0/8",
        "from_port": 443,
        "to_port": 443,
    },
    "aws_security_group_rule.from_app": {
        "type": "ingress",
        "security_group_id": "sg-1",
        "source_security_group_id": "sg-2",
        "protocol": "tcp",
        "from_port": 8080,
        "to_port": 8080,
    },
    "aws_security_group_rule.https_v6": {
        "type": "ingress",
        "security_group_id": "sg-1",
        "protocol": "tcp",
        "from_port": 443,
        "to_port": 443,
        "ipv6_cidr_blocks": ["::/0"],
    },
}


def sg_account(attribute: str, element: Any) -> str | None:
    return Accounts(SG_RULES).accounted_by("aws_security_group.alb", SG, attribute, element)


def test_an_egress_all_rule_with_ip_protocol_minus_one_accounts_for_its_element() -> None:
    element = sg_element("-1", (0, 0), cidr_blocks=["10.30.0.0/16"])
    assert sg_account("egress", element) == "aws_vpc_security_group_egress_rule.alb_all"
    assert sg_account("ingress", element) is None  # direction is identity
    world = sg_element("-1", (0, 0), cidr_blocks=["0.0.0.0/0"])
    assert sg_account("egress", world) is None


def test_every_source_of_an_element_must_be_managed() -> None:
    both = sg_element("tcp", (443, 443), cidr_blocks=["10.0.0.0/8"], ipv6_cidr_blocks=["::/0"])
    assert sg_account("ingress", both) is not None
    extra = sg_element("tcp", (443, 443), cidr_blocks=["10.0.0.0/8", "0.0.0.0/0"])
    assert sg_account("ingress", extra) is None
    ssh = sg_element("tcp", (22, 22), cidr_blocks=["0.0.0.0/0"])
    assert sg_account("ingress", ssh) is None


def test_a_source_group_as_moto_writes_it() -> None:
    element = sg_element("tcp", (8080, 8080), security_groups=["123456789012/sg-2"])
    assert sg_account("ingress", element) == "aws_security_group_rule.from_app"
    other = sg_element("tcp", (8080, 8080), security_groups=["sg-3"])
    assert sg_account("ingress", other) is None


def test_a_rule_of_another_group_never_accounts() -> None:
    rules = {
        **SG_RULES,
        "aws_security_group_rule.other": {
            **SG_RULES["aws_security_group_rule.from_app"],
            "security_group_id": "sg-9",
            "source_security_group_id": "sg-7",
        },
    }
    element = sg_element("tcp", (8080, 8080), security_groups=["sg-7"])
    assert Accounts(rules).accounted_by("aws_security_group.alb", SG, "ingress", element) is None


ROUTES: dict[str, Any] = {
    "aws_route_table.public": {"id": "rtb-1", "arn": "arn:rtb-1"},
    "aws_route.internet": {
        "route_table_id": "rtb-1",
        "destination_cidr_block": "0.0.0.0/0",
        "gateway_id": "igw-1",
    },
}


@pytest.mark.parametrize(
    ("destination", "gateway", "managed"),
    [
        ("0.0.0.0/0", "igw-1", True),
        ("192.168.0.0/16", "igw-1", False),
        ("0.0.0.0/0", "igw-2", False),
    ],
)
def test_routes_by_destination_and_target(destination: str, gateway: str, managed: bool) -> None:
    element = {"cidr_block": destination, "gateway_id": gateway, "ipv6_cidr_block": ""}
    found = Accounts(ROUTES).accounted_by(
        "aws_route_table.public", ROUTES["aws_route_table.public"], "route", element
    )
    assert (found == "aws_route.internet") is managed


ROLE = {"id": "dev-app", "arn": "arn:aws:iam::1:role/dev-app", "name": "dev-app"}
POLICY_ARN = "arn:aws:iam::1:policy/dev-app-read"
SAME_NAME_ARN = "arn:aws:iam::1:policy/dev-app"
IAM: dict[str, Any] = {
    "aws_iam_role.app": ROLE,
    'aws_iam_role_policy_attachment.access["read"]': {"role": "dev-app", "policy_arn": POLICY_ARN},
    "aws_iam_policy.same_name": {"id": SAME_NAME_ARN, "arn": SAME_NAME_ARN, "name": "dev-app"},
    "aws_iam_role_policy.inline": {"id": "dev-app:logs", "role": "dev-app", "name": "logs"},
}


def role_account(attribute: str, element: Any) -> str | None:
    return Accounts(IAM).accounted_by("aws_iam_role.app", ROLE, attribute, element)


def test_role_policies_by_attachment_and_name_of_the_inline_policy() -> None:
    assert role_account("managed_policy_arns", POLICY_ARN) == (
        'aws_iam_role_policy_attachment.access["read"]'
    )
    assert role_account("inline_policy", {"name": "logs", "policy": "{}"}) == (
        "aws_iam_role_policy.inline"
    )
    assert role_account("inline_policy", {"name": "backdoor", "policy": "{}"}) is None


def test_a_policy_named_like_the_role_accounts_for_nothing() -> None:
    assert role_account("managed_policy_arns", SAME_NAME_ARN) is None


LB = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/dev-alb/50dc6c495c0c9188"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/dev-alb/50dc6c495c0c9188/f2f7"
TG = {"id": "arn:tg/api", "arn": "arn:tg/api"}


def balancers(rules: dict[str, Any]) -> str | None:
    refreshed = {"aws_lb_target_group.svc": TG, **rules}
    return Accounts(refreshed).accounted_by("aws_lb_target_group.svc", TG, "load_balancer_arns", LB)


def test_a_target_group_forwarded_to_by_a_listener_rule() -> None:
    rule = {
        "listener_arn": LISTENER,
        "action": [{"type": "forward", "target_group_arn": "arn:tg/api"}],
    }
    listener = {
        "arn": LISTENER,
        "load_balancer_arn": LB,
        "default_action": [{"type": "fixed-response"}],
    }
    assert balancers({"aws_lb_listener_rule.api": rule, "aws_lb_listener.http": listener}) == (
        "aws_lb_listener_rule.api"
    )
    assert balancers({"aws_lb_listener_rule.api": rule}) == "aws_lb_listener_rule.api"  # by ARN
    weighted = {
        "listener_arn": LISTENER,
        "action": [{"type": "forward", "forward": [{"target_group": [{"arn": "arn:tg/api"}]}]}],
    }
    assert balancers({"aws_lb_listener_rule.w": weighted}) == "aws_lb_listener_rule.w"
    other = {"listener_arn": LISTENER, "action": [{"target_group_arn": "arn:tg/web"}]}
    assert balancers({"aws_lb_listener_rule.web": other}) is None


def test_a_target_group_forwarded_to_by_a_listener_default_action() -> None:
    listener = {
        "arn": LISTENER,
        "load_balancer_arn": LB,
        "default_action": [{"target_group_arn": "arn:tg/api"}],
    }
    assert balancers({"aws_lb_listener.http": listener}) == "aws_lb_listener.http"


def test_helpers() -> None:
    assert load_balancer_of(LISTENER, {}) == LB
    assert resource_type('module.a["x"].aws_lb_listener_rule.svc["api"]') == "aws_lb_listener_rule"
    assert resource_type("aws_route.internet") == "aws_route"


def test_a_default_security_group_is_mapped_like_any_group() -> None:
    rules = {"aws_default_security_group.this": SG, **SG_RULES}
    element = sg_element("tcp", (443, 443), cidr_blocks=["10.0.0.0/8"])
    accounts = Accounts(rules)
    found = accounts.accounted_by("aws_default_security_group.this", SG, "ingress", element)
    assert found == 'aws_vpc_security_group_ingress_rule.alb["https"]'
    ssh = sg_element("tcp", (22, 22), cidr_blocks=["0.0.0.0/0"])
    assert accounts.accounted_by("aws_default_security_group.this", SG, "ingress", ssh) is None
