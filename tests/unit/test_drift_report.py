"""Report renderers and exit codes, from a hand-built report document."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from envman.drift.model import (
    Counts,
    DriftStatus,
    EnvResult,
    Finding,
    error_result,
    exit_code,
    report_document,
)
from envman.drift.report import render

SECRET_FREE = "<sensitive>"


def results() -> list[EnvResult]:
    drifted = EnvResult(
        "dev",
        DriftStatus.DRIFTED,
        counts=Counts(findings=2, new=1, actionable=1, normalised=3),
        findings=[
            Finding("aws_s3_bucket.data", "tags.env", "dev", "a|b", "f1", True, new=True),
            Finding(
                "aws_ssm_parameter.p",
                "value",
                SECRET_FREE,
                SECRET_FREE,
                "f2",
                False,
                sensitive=True,
                new=False,
            ),
        ],
    )
    pending = EnvResult(
        "qa",
        DriftStatus.PENDING,
        pending_changes=[{"address": "aws_ecs_cluster.main", "action": "create"}],
    )
    clean = EnvResult("staging", DriftStatus.IN_SYNC)
    broken = error_result("prod", "state is locked by alice@ci <&>", lock={"who": "alice@ci"})
    return [drifted, pending, clean, broken]


def test_exit_codes() -> None:
    all_results = results()
    assert exit_code(all_results) == 2
    assert exit_code(all_results[1:]) == 1
    assert exit_code(all_results[1:3]) == 0
    assert exit_code([]) == 0


def test_json_document_schema() -> None:
    doc = json.loads(render("json", report_document(results(), "2027-01-01T00:00:00Z")))
    assert doc["schema"] == 1 and doc["checked_at"] == "2027-01-01T00:00:00Z"
    assert doc["summary"] == {"in_sync": 1, "pending": 1, "drifted": 1, "error": 1}
    dev = doc["environments"][0]
    assert set(dev) >= {"environment", "status", "error", "counts", "findings"}
    assert set(dev["findings"][0]) >= {
        "address",
        "attribute",
        "expected",
        "actual",
        "fingerprint",
        "new",
        "actionable",
    }
    assert doc["environments"][3]["error"].startswith("state is locked by alice@ci")


def test_text_table() -> None:
    text = render("text", report_document(results(), "t"))
    assert "dev          drifted" in text
    assert "aws_s3_bucket.data" in text and "tags.env" in text and "f1" in text
    assert "qa: pending: 1 change(s) not applied: aws_ecs_cluster.main (create)" in text
    assert "prod: error: state is locked by alice@ci" in text


def test_markdown_escapes_and_marks_new() -> None:
    md = render("markdown", report_document(results(), "t"))
    assert md.startswith("## Drift report")
    assert "| **dev** | 🔴 drifted | 2 | 1 | 1 | 0 | 0 | 3 |" in md
    assert "`a\\|b`" in md  # a pipe in a value does not break the table
    assert md.count("🆕") == 1
    assert "> state is locked by alice@ci &lt;&&gt;" in md  # no raw HTML from values


def test_junit_one_testcase_per_environment() -> None:
    xml = render("junit", report_document(results(), "t"))
    root = ET.fromstring(xml)
    suite = root.find("testsuite")
    assert suite is not None and suite.get("failures") == "1" and suite.get("errors") == "1"
    cases = {str(c.get("name")): c for c in suite.iter("testcase")}
    assert sorted(cases) == ["dev", "prod", "qa", "staging"]
    failure = cases["dev"].find("failure")
    assert failure is not None and "2 drift finding(s)" in str(failure.get("message"))
    assert "aws_s3_bucket.data tags.env" in str(failure.text)
    error = cases["prod"].find("error")
    assert error is not None and "alice@ci <&>" in str(error.get("message"))
    assert cases["staging"].find("failure") is None and cases["staging"].find("error") is None
