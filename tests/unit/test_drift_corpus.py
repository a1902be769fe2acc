"""The golden corpus: recorded `terraform show -json` plans of real patterns (AWS provider 5.100
on moto, scripts/record_drift_corpus.py) with the expected classification of every case.

Each case folder holds ``refresh.json`` (a ``-refresh-only`` plan), ``plan.json`` (a normal
plan of the same moment) and ``expected.json`` (reviewed by hand): the status, the findings,
the pending changes and the verdict on every candidate difference (``equivalent``, ``left by
the plan``, ``accounted for by <address>``, ``finding`` or ``actionable``), so every noise
rule is pinned by a recorded case. Each case is classified the way ``envman drift`` does it
(the normal plan alone, read by the streaming reader that keeps only what classification
needs) and from the refresh-only plan + the normal plan, read whole: both must agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from envman.drift.classify import Context, classify, verdicts
from envman.drift.companions import SCANNED_TYPES
from envman.terraform.models import Plan
from envman.terraform.plan_reader import read_plan

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "drift_corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())


def streamed(path: Path) -> Plan:
    with path.open("rb") as stream:
        return read_plan(stream, changes_of_drifted_only=True, scanned=SCANNED_TYPES)


def whole(path: Path) -> Plan:
    return Plan.from_json(json.loads(path.read_text()))


def outcome(drift: Plan, normal: Plan) -> dict[str, Any]:
    result = classify(Context("dev"), drift, normal)
    return {
        "status": result.status,
        "findings": [
            {
                "address": f.address,
                "attribute": f.attribute,
                "change": f.change,
                "expected": f.expected,
                "actual": f.actual,
                "actionable": f.actionable,
            }
            for f in result.findings
        ],
        "pending_changes": result.pending_changes,
        "verdicts": verdicts(drift, normal),
    }


def test_the_corpus_has_every_pattern() -> None:
    assert {"clean_first_apply", "clean_after_refresh", "out_of_band"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_case_as_envman_drift_reads_it(case: str) -> None:
    expected = json.loads((CORPUS / case / "expected.json").read_text())
    plan = streamed(CORPUS / case / "plan.json")
    got = outcome(plan, plan)
    assert {k: got[k] for k in ("status", "findings", "pending_changes")} == {
        k: expected[k] for k in ("status", "findings", "pending_changes")
    }
    assert got["verdicts"] == expected["verdicts"]


@pytest.mark.parametrize("case", CASES)
def test_case_from_a_refresh_only_plan_agrees(case: str) -> None:
    expected = json.loads((CORPUS / case / "expected.json").read_text())
    got = outcome(whole(CORPUS / case / "refresh.json"), whole(CORPUS / case / "plan.json"))
    assert (got["status"], got["findings"]) == (expected["status"], expected["findings"])
    assert got["verdicts"] == expected["verdicts"]


def test_streaming_reader_keeps_only_what_classification_reads() -> None:
    plan = streamed(CORPUS / "out_of_band" / "plan.json")
    changes = {rc.address: rc.change for rc in plan.resource_changes}
    drifted = {rc.address for rc in plan.resource_drift}
    assert drifted == {"aws_s3_bucket.data", "aws_security_group.web", "aws_sqs_queue.jobs"}
    # no-op resources referring to a drifted one keep their refreshed state (they may
    # account for what appeared there); the others keep nothing
    assert changes["aws_security_group_rule.http"].before["security_group_id"]
    assert changes["aws_s3_bucket_policy.data"].before is not None
    assert changes["aws_cloudwatch_metric_alarm.errors"].before is None
    assert changes["aws_sqs_queue.dlq"].before is None
    # parents and companions of the identity mappings are kept whole: unmanaged elements in
    # state are reported even when nothing drifted
    assert changes["aws_iam_role.worker"].before["managed_policy_arns"]
