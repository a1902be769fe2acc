"""What an apply keeps of the drift (envman.drift.absorbed) and readable policy findings, on
the recorded companions corpus (tests/fixtures/drift_corpus/companions_*)."""

from __future__ import annotations

from pathlib import Path

from envman.drift.absorbed import absorbed_lines, absorbed_record, kept_by_apply
from envman.drift.classify import Context, classify
from envman.drift.companions import SCANNED_TYPES
from envman.drift.model import report_document
from envman.drift.report import render_markdown, render_text
from envman.terraform.models import Plan
from envman.terraform.plan_reader import read_plan

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "drift_corpus"
UNMANAGED = {
    ("aws_iam_role.app", "managed_policy_arns"),
    ("aws_network_acl.public", "ingress"),
    ("aws_route_table.public", "route"),
    ("aws_security_group.alb", "egress"),
    ("aws_security_group.app", "ingress"),
}


def plan_of(case: str) -> Plan:
    with (CORPUS / case / "plan.json").open("rb") as stream:
        return read_plan(stream, changes_of_drifted_only=True, scanned=SCANNED_TYPES)


def test_the_apply_keeps_what_it_cannot_revert_and_the_check_reports_it_after() -> None:
    kept = kept_by_apply(Context("dev"), plan_of("companions_unmanaged"))
    assert {(f.address, f.attribute) for f in kept} == UNMANAGED  # not the alarm: reverted
    after = classify(Context("dev"), *[plan_of("companions_absorbed_after_apply")] * 2)
    assert {f.fingerprint for f in after.findings} == {f.fingerprint for f in kept}


def test_an_apply_with_nothing_unmanaged_keeps_nothing() -> None:
    assert kept_by_apply(Context("dev"), plan_of("companions_policy_statements")) == []
    assert kept_by_apply(Context("dev"), plan_of("companions_noop_apply")) == []


def test_ignored_findings_are_not_said() -> None:
    context = Context("dev", ignore=("aws_security_group.*",))
    kept = kept_by_apply(context, plan_of("companions_unmanaged"))
    assert {a for a, _ in UNMANAGED if not a.startswith("aws_security_group")} == {
        f.address for f in kept
    }


def test_one_line_each_and_a_record_without_values() -> None:
    kept = kept_by_apply(Context("dev"), plan_of("companions_unmanaged"))
    lines = absorbed_lines(kept)
    assert len(lines) == len(kept) + 1 and "envman drift ack" in lines[-1]
    ssh = next(line for line in lines if "aws_network_acl.public" in line)
    assert "ingress (added)" in ssh and '"from_port": 22' in ssh and "0.0.0.0/0" in ssh
    record = absorbed_record(kept)
    assert all(set(r) == {"address", "attribute", "change", "fingerprint"} for r in record)


def test_policy_findings_name_their_statements() -> None:
    result = classify(Context("dev"), *[plan_of("companions_policy_statements")] * 2)
    document = report_document([result], "now")
    text = render_text(document)
    assert '+ statement "Everything": Allow s3:* on arn:aws:s3:::dev-companions-data/* to *' in text
    assert '~ statement "AppRead": Principal {"AWS": "arn:aws:iam::' in text
    assert '+ statement "Admin": Allow * on *' in text
    assert '~ statement "AppRead"' in render_markdown(document)
