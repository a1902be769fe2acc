"""Readable findings for JSON documents: policies by statement, container definitions by name,
in the text and Markdown reports (the JSON report keeps the full values)."""

from __future__ import annotations

import json
from typing import Any

from envman.drift.documents import document_changes
from envman.drift.report import render_json, render_markdown, render_text

DENY = {
    "Sid": "DenyInsecure",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::b/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
READ = {
    "Sid": "AppRead",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::1:role/app"},
    "Action": "s3:GetObject",
    "Resource": ["arn:aws:s3:::b/*"],
}
EVERYTHING = {
    "Sid": "Everything",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": "arn:aws:s3:::b/*",
}


def policy(*statements: Any) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_statements_added_and_changed_are_named() -> None:
    opened = {**READ, "Principal": "*"}
    lines = document_changes(policy(DENY, READ), policy(DENY, opened, EVERYTHING))
    assert lines == [
        '+ statement "Everything": Allow s3:* on arn:aws:s3:::b/* to *',
        '~ statement "AppRead": Principal {"AWS": "arn:aws:iam::1:role/app"} -> *',
    ]


def test_removed_statement_and_statements_without_sid() -> None:
    plain = {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}
    admin = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    assert document_changes(policy(DENY, plain), policy(plain)) == [
        '- statement "DenyInsecure": Deny s3:* on arn:aws:s3:::b/* to * '
        'if {"Bool": {"aws:SecureTransport": "false"}}'
    ]
    assert document_changes(policy(plain), policy(admin)) == [
        "~ statement (no Sid): Action logs:PutLogEvents -> *"
    ]


def test_whitespace_and_key_order_are_no_change() -> None:
    text = json.dumps({"Statement": [READ], "Version": "2012-10-17"}, indent=4)
    assert document_changes(policy(READ), text) == []


def test_an_inline_policy_element_added() -> None:
    element = {
        "name": "backdoor",
        "policy": policy({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    }
    assert document_changes(None, element) == ["+ statement (no Sid): Allow * on *"]


def test_container_definitions_by_name() -> None:
    before = json.dumps([{"name": "app", "image": "app:1", "cpu": 256}])
    after = json.dumps([{"name": "app", "image": "evil:latest", "cpu": 256}, {"name": "sidecar"}])
    assert document_changes(before, after) == [
        '+ container "sidecar"',
        '~ container "app": image app:1 -> evil:latest',
    ]


def test_not_a_document() -> None:
    assert document_changes("a", "b") == []
    assert document_changes(5, 6) == []


def report(finding: dict[str, Any]) -> dict[str, Any]:
    base = {
        "address": "aws_s3_bucket_policy.data",
        "attribute": "policy",
        "change": "update",
        "fingerprint": "0123456789abcdef",
        "new": True,
        "actionable": True,
        "sensitive": False,
    }
    counts = dict.fromkeys(
        ("findings", "new", "actionable", "acknowledged", "ignored", "normalised"), 0
    )
    env = {
        "environment": "dev",
        "status": "drifted",
        "counts": counts,
        "findings": [{**base, **finding}],
    }
    return {"schema": 1, "checked_at": "t", "environments": [env]}


def test_text_and_markdown_say_the_statements_json_keeps_the_values() -> None:
    doc = report({"expected": policy(DENY, READ), "actual": policy(DENY, READ, EVERYTHING)})
    text = render_text(doc)
    assert '    + statement "Everything": Allow s3:* on arn:aws:s3:::b/* to *' in text
    assert "(JSON document, see below)" in text
    markdown = render_markdown(doc)
    assert '- `+ statement "Everything": Allow s3:* on arn:aws:s3:::b/* to *`' in markdown
    assert json.loads(render_json(doc))["environments"][0]["findings"][0]["actual"] == policy(
        DENY, READ, EVERYTHING
    )


def test_a_redacted_document_says_nothing_more() -> None:
    doc = report({"expected": "<sensitive>", "actual": "<sensitive>", "sensitive": True})
    assert "statement" not in render_text(doc)
