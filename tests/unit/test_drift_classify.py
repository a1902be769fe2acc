"""Pure drift logic on small hand-written `show -json` documents: no terraform, no AWS."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from envman.drift import values
from envman.drift.classify import Context, classify, index_configuration, pending_changes
from envman.drift.detect import notification_state, sensitive_values
from envman.drift.elements import diff
from envman.drift.model import DriftStatus, EnvResult, Finding, error_result, fingerprint
from envman.drift.rules import Acknowledgement, ignored_by, parse_expiry
from envman.errors import UsageError
from envman.terraform.errors import lock_info
from envman.terraform.models import Plan
from envman.terraform.runner import Diagnostic


def change(
    address: str, actions: list[str], before: Any, after: Any, **extra: Any
) -> dict[str, Any]:
    rtype, name = address.split(".")[-2:]
    return {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": name.split("[")[0],
        "change": {
            "actions": actions,
            "before": before,
            "after": after,
            "after_unknown": extra.get("after_unknown", {}),
            "before_sensitive": extra.get("before_sensitive", {}),
            "after_sensitive": extra.get("after_sensitive", {}),
        },
    }


CONFIG = {
    "root_module": {
        "variables": {"db_password": {"sensitive": True}, "name": {}},
        "resources": [
            {"address": "aws_s3_bucket.data", "expressions": {"bucket": {}, "tags": {}}},
            {
                "address": "aws_ssm_parameter.p",
                "expressions": {"name": {}, "value": {"references": ["var.db_password"]}},
            },
            {"address": "aws_ecs_cluster.main", "expressions": {"name": {}}},
        ],
        "module_calls": {
            "net": {
                "expressions": {"secret": {"references": ["var.db_password"]}},
                "module": {
                    "variables": {"secret": {}},
                    "resources": [
                        {
                            "address": "aws_vpc.this",
                            "expressions": {
                                "cidr_block": {},
                                "tags": {"references": ["var.secret"]},
                            },
                        },
                    ],
                },
            }
        },
    }
}


def plan(
    drift: Sequence[dict[str, Any]] = (), changes: Sequence[dict[str, Any]] = (), **extra: Any
) -> Plan:
    return Plan.from_json(
        {
            "format_version": "1.2",
            "resource_drift": list(drift),
            "resource_changes": list(changes),
            "configuration": CONFIG,
            **extra,
        }
    )


BUCKET_BEFORE = {
    "bucket": "b",
    "tags": {"env": "dev"},
    "tags_all": {"env": "dev"},
    "policy": None,
    "region": "us-east-1",
}
BUCKET_AFTER = {
    "bucket": "b",
    "tags": {"env": "hacked"},
    "tags_all": {"env": "hacked"},
    "policy": {},
    "region": "eu-west-1",
}


def test_diff_paths_recurse_and_format() -> None:
    before = {"a": {"b": [{"c": "x"}]}, "tags": {"k.8s/io": "1"}, "n": None}
    after = {"a": {"b": [{"c": "y"}]}, "tags": {"k.8s/io": "2", "new": "v"}, "n": []}
    found = [
        (values.format_path(d.path), d.expected, d.actual, d.kind) for d in diff(before, after)
    ]
    assert found == [
        ("a.b[0].c", "x", "y", "update"),  # a block of one: paired by position
        ("n", None, [], "equivalent"),
        ('tags["k.8s/io"]', "1", "2", "update"),
        ("tags.new", None, "v", "update"),
    ]
    assert [d.new for d in diff(before, after)] == [False, False, False, True]
    assert values.path_prefixes(("ingress", 0, "cidr")) == [
        "ingress",
        "ingress[0]",
        "ingress[0].cidr",
    ]
    assert values.strip_instance_keys('module.a[0].aws_x.b["k.[1]"]') == "module.a.aws_x.b"


def rule(port: int, cidr: str = "10.0.0.0/8") -> dict[str, Any]:
    return {"from_port": port, "to_port": port, "protocol": "tcp", "cidr_blocks": [cidr]}


def test_collections_by_element_never_by_index() -> None:
    before = {"ingress": [rule(80), rule(443)]}
    after = {"ingress": [rule(22, "0.0.0.0/0"), rule(80), rule(443)]}
    [added] = diff(before, after)
    assert (added.kind, added.path, added.expected, added.actual) == (
        "added",
        ("ingress",),
        None,
        rule(22, "0.0.0.0/0"),
    )
    [removed] = diff(after, before)
    assert (removed.kind, removed.expected) == ("removed", rule(22, "0.0.0.0/0"))
    # another order only: one update of the whole list (a set: the plan leaves it)
    [moved] = diff({"l": ["a", "b"]}, {"l": ["b", "a"]})
    assert (moved.kind, moved.path) == ("update", ("l",))
    # nested blocks by identity, wherever they are
    queries = [{"id": "rate", "period": None}, {"id": "errors", "period": 60}]
    changed = [{"id": "errors", "period": 300}, {"id": "rate", "period": 0}]
    found = list(diff({"metric_query": queries}, {"metric_query": changed}))
    assert [d.kind for d in found] == ["update", "equivalent"]  # rate: null came back as 0
    period = found[0]
    assert values.format_path(period.path) == 'metric_query[id="errors"].period'
    assert (period.expected, period.actual) == (60, 300)
    assert values.value_at({"metric_query": changed}, period.path) == 300


def test_values_equal_in_meaning() -> None:
    assert values.same(None, 0) and values.same(False, None) and values.same("", None)
    assert values.same({"a": None, "b": [{"c": None}]}, {"a": 0, "b": [{"c": False}]})
    assert not values.same(0, False) and not values.same("", 0) and not values.same(None, 1)
    assert values.same('{"a": 1, "b": [1]}', '{"b":[1],"a":1}')
    assert not values.same('{"a": 1}', '{"a": 2}') and not values.same("1", "1.0")
    assert values.same([{"p": '{"x":1}'}], [{"p": '{ "x" : 1 }'}])


def test_masks_and_values_at_paths() -> None:
    mask = {"value": True, "nested": [{"s": True}, {}]}
    assert values.flag_at(mask, ("value",)) and values.flag_at(mask, ("nested",))
    assert values.flag_at(mask, ("nested", 0, "s")) and not values.flag_at(mask, ("nested", 1))
    assert not values.flag_at(mask, ("other",)) and not values.flag_at(None, ("value",))
    assert values.value_at({"a": [{"b": 1}]}, ("a", 0, "b")) == 1
    assert values.value_at({"a": []}, ("a", 3)) is None
    assert values.same(1, 1.0) and not values.same(True, 1) and values.same(None, {})


def test_findings_noise_and_actionable() -> None:
    drift = [change("aws_s3_bucket.data", ["update"], BUCKET_BEFORE, BUCKET_AFTER)]
    normal = [
        change(
            "aws_s3_bucket.data",
            ["update"],
            BUCKET_AFTER,
            {**BUCKET_AFTER, "tags": {"env": "dev"}, "tags_all": {"env": "dev"}},
        )
    ]
    result = classify(Context("dev"), plan(drift), plan(changes=normal))
    assert result.status == "drifted"
    assert [
        (f.address, f.attribute, f.expected, f.actual, f.actionable, f.new) for f in result.findings
    ] == [("aws_s3_bucket.data", "tags.env", "dev", "hacked", True, True)]
    # region: the plan leaves it -> provider normalisation; policy null -> {} means the same
    # (normalised too); tags_all.env echoes tags.env and is dropped
    assert result.counts.normalised == 2 and result.counts.findings == 1


def test_untouched_configured_attribute_is_not_actionable() -> None:
    drift = [
        change(
            "aws_s3_bucket.data",
            ["update"],
            BUCKET_BEFORE,
            {**BUCKET_BEFORE, "tags": {"env": "dev", "extra": "x"}},
        )
    ]
    result = classify(Context("dev"), plan(drift), plan())
    [finding] = result.findings
    assert (finding.attribute, finding.expected, finding.actual) == ("tags.extra", None, "x")
    assert finding.actionable is False


def test_deleted_resource_is_one_finding_and_create_reverts_it() -> None:
    drift = [change("aws_ecs_cluster.main", ["delete"], {"name": "c", "arn": "a"}, None)]
    normal = [change("aws_ecs_cluster.main", ["create"], None, {"name": "c"})]
    result = classify(Context("dev"), plan(drift), plan(changes=normal))
    [finding] = result.findings
    assert (finding.attribute, finding.expected, finding.actual, finding.change) == (
        "*",
        "exists",
        None,
        "deleted",
    )
    assert finding.actionable and result.pending_changes == []


def test_sensitive_values_are_redacted_by_mask_variable_and_value() -> None:
    drift = [
        change(
            "aws_ssm_parameter.p",
            ["update"],
            {"name": "n", "value": "s3cret-old"},
            {"name": "n", "value": "s3cret-new"},
        ),  # no mask: the config reads var.db_password
        change(
            "module.net.aws_vpc.this[0]",
            ["update"],
            {"tags": {"t": "a"}, "cidr_block": "x"},
            {"tags": {"t": "b"}, "cidr_block": "y"},
            before_sensitive={"cidr_block": True},
        ),
        change(
            "aws_s3_bucket.data",
            ["update"],
            BUCKET_BEFORE,
            {**BUCKET_BEFORE, "tags": {"env": "has hunter22 inside"}},
        ),
    ]
    result = classify(Context("dev", secrets=frozenset({"hunter22"})), plan(drift), plan())
    shown = {(f.address, f.attribute): (f.expected, f.actual, f.sensitive) for f in result.findings}
    redacted = ("<sensitive>", "<sensitive>", True)
    assert shown[("aws_ssm_parameter.p", "value")] == redacted
    assert shown[("module.net.aws_vpc.this[0]", "cidr_block")] == redacted  # mask
    assert shown[("module.net.aws_vpc.this[0]", "tags.t")] == redacted  # module input of a secret
    assert shown[("aws_s3_bucket.data", "tags.env")] == redacted  # contains a secret value
    assert "s3cret" not in repr(result.to_json()) and "hunter22" not in repr(result.to_json())


def test_ignore_rules() -> None:
    rules = [
        "aws_db_instance.*.latest_restorable_time",
        "module.net.aws_vpc.*.tags",
        "aws_x.legacy",
    ]
    assert ignored_by(rules, "aws_db_instance.main", ["latest_restorable_time"])
    assert ignored_by(rules, 'aws_db_instance.r["a"]', ["latest_restorable_time"])
    assert not ignored_by(rules, "aws_db_instance.main", ["engine_version"])
    assert ignored_by(rules, "module.net.aws_vpc.this[0]", ["tags", "tags.env"])
    assert not ignored_by(rules, "module.net.aws_vpc.this[0]", ["tags_all", "tags_all.env"])
    assert ignored_by(rules, "aws_x.legacy", ["*"])
    assert not ignored_by(["aws_x.a[0].tags"], "aws_x.a0", ["tags"])  # [ is literal, not a class


def test_ignored_and_acknowledged_are_counted_not_listed() -> None:
    drift = [
        change(
            "aws_s3_bucket.data",
            ["update"],
            BUCKET_BEFORE,
            {**BUCKET_BEFORE, "bucket": "c", "tags": {"env": "x"}, "tags_all": {"env": "x"}},
        )
    ]
    tag_print = fingerprint("dev", "aws_s3_bucket.data", "tags.env", "x")
    ack = Acknowledgement(tag_print, "known", datetime(2030, 1, 1, tzinfo=UTC))
    context = Context("dev", ignore=("aws_s3_bucket.data.bucket",), acknowledged={tag_print: ack})
    result = classify(context, plan(drift), plan())
    assert result.findings == [] and result.status == "in_sync"
    assert (result.counts.ignored, result.counts.acknowledged) == (1, 1)
    assert result.acknowledged[0]["reason"] == "known"


def test_new_means_not_in_the_last_result() -> None:
    drift = [change("aws_s3_bucket.data", ["update"], BUCKET_BEFORE, BUCKET_AFTER)]
    reverted = {**BUCKET_AFTER, "tags": {"env": "dev"}, "tags_all": {"env": "dev"}}
    noop = plan(changes=[change("aws_s3_bucket.data", ["update"], BUCKET_AFTER, reverted)])
    first = classify(Context("dev"), plan(drift), noop)
    seen = frozenset(f.fingerprint for f in first.findings)
    second = classify(Context("dev", previous=seen), plan(drift), noop)
    assert [f.new for f in first.findings] == [True] and [f.new for f in second.findings] == [False]
    changed = [
        change(
            "aws_s3_bucket.data",
            ["update"],
            BUCKET_BEFORE,
            {**BUCKET_AFTER, "tags": {"env": "other"}, "tags_all": {"env": "other"}},
        )
    ]
    third = classify(Context("dev", previous=seen), plan(changed), noop)
    assert [f.new for f in third.findings] == [True]  # changed drift = a new fingerprint
    # the region changed too, but the plan leaves it: normalisation, counted
    assert first.counts.normalised == 2 and first.findings[0].actionable is True


def test_fingerprint_is_stable_and_short() -> None:
    one = fingerprint("dev", "aws_s3_bucket.data", "tags.env", "hacked")
    assert one == fingerprint("dev", "aws_s3_bucket.data", "tags.env", "hacked")
    assert len(one) == 16 and int(one, 16) >= 0
    assert one != fingerprint("prod", "aws_s3_bucket.data", "tags.env", "hacked")
    assert one != fingerprint("dev", "aws_s3_bucket.data", "tags.env", "other")


def test_pending_only_for_changes_drift_does_not_explain() -> None:
    drift = [change("aws_s3_bucket.data", ["update"], BUCKET_BEFORE, BUCKET_AFTER)]
    revert = change(
        "aws_s3_bucket.data",
        ["update"],
        BUCKET_AFTER,
        {**BUCKET_AFTER, "tags": {"env": "dev"}, "tags_all": {"env": "dev"}, "region": "eu-west-1"},
    )
    assert pending_changes(plan(changes=[revert]), plan(drift)) == []
    code = change(
        "aws_s3_bucket.data",
        ["update"],
        BUCKET_AFTER,
        {**BUCKET_AFTER, "tags": {"env": "dev", "team": "new"}},
    )
    assert pending_changes(plan(changes=[code]), plan(drift)) == [
        {"address": "aws_s3_bucket.data", "action": "update"}
    ]
    new = change("aws_ecs_cluster.main", ["create"], None, {"name": "c"})
    result = classify(Context("dev"), plan(), plan(changes=[new]))
    assert result.status == "pending" and result.pending_changes[0]["action"] == "create"
    outputs = plan(output_changes={"url": {"actions": ["create"], "after": "x"}})
    assert pending_changes(outputs, plan()) == [{"address": "output.url", "action": "create"}]


def test_index_configuration_walks_modules() -> None:
    index = index_configuration(CONFIG)
    assert index.configured["module.net.aws_vpc.this"] == {"cidr_block", "tags"}
    assert index.is_configured("aws_s3_bucket.data", ("tags_all", "env"))
    assert not index.is_configured("aws_ecs_cluster.main", ("tags",))
    assert index.is_configured("aws_gone.old", ("anything",))  # removed from code: not noise


def test_lock_info_from_the_json_diagnostic() -> None:
    detail = (
        "Error message: operation error S3: PutObject, StatusCode: 412\nLock Info:\n"
        "  ID:        3f1c\n  Path:      b/k\n  Operation: OperationTypeApply\n"
        "  Who:       alice@ci\n  Version:   1.11.4\n  Created:   2026-01-02 03:04:05 +0000 UTC\n"
        "  Info:      \n\n\nTerraform acquires a state lock to protect the state"
    )
    info = lock_info(Diagnostic("error", "Error acquiring the state lock", detail))
    assert info["who"] == "alice@ci" and info["id"] == "3f1c"
    assert info["operation"] == "OperationTypeApply" and info["created"].startswith("2026-01-02")


def test_sensitive_values_from_the_plan_variables() -> None:
    plan = Plan.from_json(
        {
            "format_version": "1.2",
            "configuration": CONFIG,
            "variables": {"db_password": {"value": "hunter22"}, "name": {"value": "dev"}},
        }
    )
    assert sensitive_values(plan) == frozenset({"hunter22"})


def test_expiry_dates() -> None:
    moment = datetime(2027, 1, 1, tzinfo=UTC)
    assert parse_expiry("2027-01-31", moment) == datetime(2027, 2, 1, tzinfo=UTC)
    assert parse_expiry("2027-01-02T10:00:00Z", moment) == datetime(2027, 1, 2, 10, tzinfo=UTC)
    with pytest.raises(UsageError, match="not in the future"):
        parse_expiry("2026-12-31", moment)
    with pytest.raises(UsageError):
        parse_expiry("next week", moment)


def test_notifications_never_repeat_for_the_same_findings() -> None:
    one = Finding("aws_x.a", "tags.env", "a", "b", "fp1", True)
    two = Finding("aws_x.b", "*", "exists", None, "fp2", True, change="deleted")
    drifted = EnvResult("dev", DriftStatus.DRIFTED, findings=[one, two])
    # a run without --notify records nothing as notified: a later --notify run still sends
    fresh, notified = notification_state(drifted, None, notify=False)
    assert [f.fingerprint for f in fresh] == ["fp1", "fp2"] and notified == []
    previous = {"findings": [one.to_json(), two.to_json()], "notified": notified}
    fresh, notified = notification_state(drifted, previous, notify=True)
    assert [f.fingerprint for f in fresh] == ["fp1", "fp2"] and notified == ["fp1", "fp2"]
    fresh, notified = notification_state(drifted, {"notified": notified}, notify=True)
    assert fresh == [] and notified == ["fp1", "fp2"]
    # an error keeps the notified set; a finding that went away is forgotten
    assert notification_state(error_result("dev", "x"), {"notified": ["fp1"]}, True) == (
        [],
        ["fp1"],
    )
    only_two = EnvResult("dev", DriftStatus.DRIFTED, findings=[two])
    assert notification_state(only_two, {"notified": ["fp1", "fp2"]}, True) == ([], ["fp2"])


def test_actionable_only_when_the_plan_restores_the_expected_value() -> None:
    drift = [change("aws_s3_bucket.data", ["update"], BUCKET_BEFORE, BUCKET_AFTER)]
    elsewhere = {**BUCKET_AFTER, "tags": {"env": "prod"}, "tags_all": {"env": "prod"}}
    normal = [change("aws_s3_bucket.data", ["update"], BUCKET_AFTER, elsewhere)]
    result = classify(Context("dev"), plan(drift), plan(changes=normal))
    [finding] = result.findings  # the plan touches tags.env, but sets it to neither value
    assert (finding.attribute, finding.actionable) == ("tags.env", False)


SG = {"id": "sg-1", "name": "web", "arn": "arn:sg-1", "ingress": [], "egress": []}


def sg_rule(name: str, kind: str, port: int, cidr: str) -> dict[str, Any]:
    value = {"security_group_id": "sg-1", "type": kind, **rule(port, cidr)}
    return change(f"aws_security_group_rule.{name}", ["no-op"], value, value)


def test_new_elements_are_drift_unless_a_resource_of_the_parent_accounts_for_them() -> None:
    after = {**SG, "ingress": [rule(443), rule(22, "0.0.0.0/0")], "egress": [rule(443)]}
    drift = [change("aws_security_group.web", ["update"], SG, after)]
    normal = [
        change("aws_security_group.web", ["no-op"], after, after),
        sg_rule("https", "ingress", 443, "10.0.0.0/8"),
    ]
    result = classify(Context("dev"), plan(drift), plan(changes=normal))
    # 443 in: the https rule; 22 in: nothing; 443 out: an ingress rule never accounts for it
    assert [(f.attribute, f.change, f.actual["from_port"]) for f in result.findings] == [
        ("egress", "added", 443),
        ("ingress", "added", 22),
    ]
    assert not any(f.actionable for f in result.findings) and result.counts.normalised == 1
    assert len({f.fingerprint for f in result.findings}) == 2


def test_a_value_appearing_where_state_had_none_needs_an_owner() -> None:
    bucket = {"id": "dev-data", "bucket": "dev-data", "arn": "arn:dev-data", "policy": ""}
    policy = '{"Statement": [{"Effect": "Allow", "Principal": "*"}]}'
    drift = [change("aws_s3_bucket.data", ["update"], bucket, {**bucket, "policy": policy})]
    noop = change("aws_s3_bucket.data", ["no-op"], {**bucket, "policy": policy}, None)
    alone = classify(Context("dev"), plan(drift), plan(changes=[noop]))
    assert [(f.attribute, f.actual) for f in alone.findings] == [("policy", policy)]
    owner = {"bucket": "dev-data", "policy": '{"Statement":[{"Principal":"*","Effect":"Allow"}]}'}
    managed = change("aws_s3_bucket_policy.data", ["no-op"], owner, owner)
    owned = classify(Context("dev"), plan(drift), plan(changes=[noop, managed]))
    assert owned.status == "in_sync" and owned.counts.normalised == 1


def test_a_value_known_only_after_apply_leaves_only_what_nobody_configured() -> None:
    drift = [change("aws_s3_bucket.data", ["update"], BUCKET_BEFORE, BUCKET_AFTER)]
    unknown = {**BUCKET_AFTER, "tags": None, "tags_all": None, "region": None}
    normal = [
        change(
            "aws_s3_bucket.data",
            ["update"],
            BUCKET_AFTER,
            unknown,
            after_unknown={"tags": True, "tags_all": True, "region": True},
        )
    ]
    result = classify(Context("dev"), plan(drift), plan(changes=normal))
    # tags are configured: the plan may set them to anything -> reported, not "apply reverts";
    # region is not: the provider computes it -> normalisation
    assert [(f.attribute, f.actionable) for f in result.findings] == [("tags.env", False)]
    assert result.counts.normalised == 2


def test_an_owner_may_refer_to_the_parent_from_a_nested_block() -> None:
    # the example platform: a target group learns its load balancer through the listener,
    # which names the group only inside default_action
    group = {"id": "arn:tg/web", "arn": "arn:tg/web", "name": "web", "load_balancer_arns": []}
    seen = {**group, "load_balancer_arns": ["arn:lb/app"]}
    drift = [change("aws_lb_target_group.web", ["update"], group, seen)]
    listener = {
        "load_balancer_arn": "arn:lb/app",
        "default_action": [{"type": "forward", "target_group_arn": "arn:tg/web"}],
    }
    normal = [
        change("aws_lb_target_group.web", ["no-op"], seen, seen),
        change("aws_lb_listener.http", ["no-op"], listener, listener),
    ]
    owned = classify(Context("dev"), plan(drift), plan(changes=normal))
    assert owned.status == "in_sync" and owned.counts.normalised == 1
    stranger = {**seen, "load_balancer_arns": ["arn:lb/app", "arn:lb/other"]}
    drift = [change("aws_lb_target_group.web", ["update"], group, stranger)]
    normal[0] = change("aws_lb_target_group.web", ["no-op"], stranger, stranger)
    result = classify(Context("dev"), plan(drift), plan(changes=normal))
    assert [(f.attribute, f.change, f.actual) for f in result.findings] == [
        ("load_balancer_arns", "added", "arn:lb/other")
    ]


def test_an_added_element_with_anything_sensitive_is_redacted_whole() -> None:
    before = {"id": "fn", "environment": []}
    after = {"id": "fn", "environment": [{"name": "TOKEN", "value": "hunter22-live"}]}
    drift = [
        change(
            "aws_ecs_cluster.main",
            ["update"],
            before,
            after,
            after_sensitive={"environment": [{"value": True}]},
        )
    ]
    normal = [change("aws_ecs_cluster.main", ["no-op"], after, after)]
    result = classify(Context("dev"), plan(drift), plan(changes=normal))
    [finding] = result.findings
    assert (finding.attribute, finding.change, finding.actual) == (
        "environment",
        "added",
        "<sensitive>",
    )
    assert finding.sensitive and "hunter22" not in repr(result.to_json())
    assert finding.fingerprint == fingerprint(
        "dev", "aws_ecs_cluster.main", "environment", {"added": "<sensitive>"}
    )
