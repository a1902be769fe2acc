"""Reading the state document for elements nobody manages (envman.drift.state_scan): what
makes an in-sync check pay for a `show -json`."""

from __future__ import annotations

from typing import Any

from envman.drift.state_scan import may_hold_unmanaged, state_values

ENTRY = {
    "action": "allow",
    "cidr_block": "0.0.0.0/0",
    "from_port": 1024,
    "to_port": 65535,
    "icmp_code": 0,
    "icmp_type": 0,
    "ipv6_cidr_block": "",
    "protocol": "6",
    "rule_no": 110,
}
SSH = {**ENTRY, "from_port": 22, "to_port": 22, "rule_no": 130}


def state(*entries: Any) -> dict[str, Any]:
    acl = {"id": "acl-1", "arn": "arn:acl-1", "ingress": list(entries), "egress": []}
    rule = {
        "network_acl_id": "acl-1",
        "egress": False,
        "rule_number": 110,
        "rule_action": "allow",
        "protocol": "tcp",
        "from_port": 1024,
        "to_port": 65535,
        "cidr_block": "0.0.0.0/0",
    }
    return {
        "version": 4,
        "resources": [
            {
                "module": "module.vpc",
                "mode": "managed",
                "type": "aws_network_acl",
                "name": "public",
                "instances": [{"index_key": 0, "attributes": acl}],
            },
            {
                "module": "module.vpc",
                "mode": "managed",
                "type": "aws_network_acl_rule",
                "name": "in",
                "instances": [{"index_key": "https", "attributes": rule}],
            },
            {"mode": "managed", "type": "aws_sqs_queue", "name": "q", "instances": [{}]},
            {"mode": "data", "type": "aws_network_acl", "name": "d", "instances": [{}]},
        ],
    }


def test_only_parents_and_companions_are_read() -> None:
    assert sorted(state_values(state(ENTRY))) == [
        "module.vpc.aws_network_acl.public[0]",
        'module.vpc.aws_network_acl_rule.in["https"]',
    ]


def test_an_entry_nobody_manages_makes_the_check_look() -> None:
    assert may_hold_unmanaged(state(ENTRY, SSH)) is True
    assert may_hold_unmanaged(state(ENTRY)) is False
    assert may_hold_unmanaged({"version": 4, "resources": []}) is False
    assert may_hold_unmanaged({}) is False


def test_the_check_looks_again_only_when_state_or_code_changed() -> None:
    from envman.drift.state_scan import state_mark, state_suspect

    suspect = {**state(ENTRY, SSH), "lineage": "l-1", "serial": 7}
    assert state_suspect(suspect) is True
    seen = state_mark(suspect, "code-1")
    assert state_suspect(suspect, seen, "code-1") is False
    assert state_suspect({**suspect, "serial": 8}, seen, "code-1") is True
    assert state_suspect(suspect, seen, "code-2") is True
    assert state_suspect(None) is False


def test_elements_of_a_parent_without_companions_are_reported_only_when_known() -> None:
    """``dynamic`` blocks are missing from the plan's configuration: an SG whose ingress comes
    from one looks unconfigured, so its elements are reported only when they were findings
    before. A target group's load balancers can never be configured: always."""
    from envman.drift.accounting import Accounts
    from envman.drift.configured import ConfigIndex
    from envman.drift.unmanaged import unmanaged_elements

    rule = {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]}
    refreshed = {
        "aws_security_group.dynamic": {"id": "sg-1", "arn": "arn:sg-1", "ingress": [rule]},
        "aws_lb_target_group.api": {"id": "arn:tg", "arn": "arn:tg", "load_balancer_arns": ["lb"]},
    }
    index = ConfigIndex(
        configured={
            "aws_security_group.dynamic": frozenset(),
            "aws_lb_target_group.api": frozenset(),
        },
        sensitive={},
    )

    def found(known: bool) -> list[tuple[str, str]]:
        elements = unmanaged_elements(refreshed, index, Accounts(refreshed), lambda *_: known)
        return [(address, attribute) for address, attribute, _ in elements]

    assert found(False) == [("aws_lb_target_group.api", "load_balancer_arns")]
    assert found(True) == [
        ("aws_lb_target_group.api", "load_balancer_arns"),
        ("aws_security_group.dynamic", "ingress"),
    ]
    assert may_hold_unmanaged(state()) is False  # a parent with no elements at all
