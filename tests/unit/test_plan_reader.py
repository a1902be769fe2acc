"""The streaming reader of `terraform show -json` plans against the whole-document parse."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envman.drift.companions import SCANNED_TYPES
from envman.errors import TerraformError
from envman.terraform.models import Plan
from envman.terraform.plan_reader import read_plan

GOLDEN = Path(__file__).parent.parent / "fixtures" / "plan_update.json"


def _with_drift() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(GOLDEN.read_text())
    drifted = json.loads(json.dumps(doc["resource_changes"][0]))
    drifted["change"]["before"] = {"input": "old"}
    drifted["change"]["after"] = {"input": "changed outside"}
    ordered: dict[str, Any] = {}
    for key, value in doc.items():  # terraform's order: resource_drift before resource_changes
        if key == "resource_changes":
            ordered["resource_drift"] = [drifted]
        ordered[key] = value
    return ordered


def _read(doc: dict[str, Any], keep_values: bool = True) -> Plan:
    return read_plan(io.BytesIO(json.dumps(doc).encode()), keep_values=keep_values)


def test_same_plan_as_the_whole_document_parse_without_unused_values() -> None:
    doc = _with_drift()
    whole = Plan.from_json(doc)
    streamed = _read(doc)
    assert streamed.summary() == whole.summary()
    assert streamed.format_version == whole.format_version
    assert streamed.terraform_version == whole.terraform_version
    assert streamed.output_changes == whole.output_changes
    assert streamed.configuration == whole.configuration
    assert streamed.variables == whole.variables == doc["variables"]
    assert streamed.resource_drift == whole.resource_drift
    assert streamed.prior_state == {}  # never kept: it repeats the values
    for mine, theirs in zip(streamed.resource_changes, whole.resource_changes, strict=True):
        assert (mine.address, mine.type, mine.mode) == (theirs.address, theirs.type, theirs.mode)
        assert mine.change.actions == theirs.change.actions
        if theirs.change.actions.noop():
            assert mine.change.before is None and mine.change.after is None
        else:
            assert mine.change == theirs.change


def test_without_values_keeps_only_addresses_and_actions() -> None:
    doc = _with_drift()
    plan = _read(doc, keep_values=False)
    assert plan.summary() == Plan.from_json(doc).summary()
    assert [rc.address for rc in plan.resource_changes] == [
        r["address"] for r in doc["resource_changes"]
    ]
    every = [*plan.resource_changes, *plan.resource_drift]
    assert every and all(rc.change.before is None and rc.change.after is None for rc in every)


@pytest.mark.parametrize(
    "text",
    [b"", b"[]", b'{"format_version": "1.2", "resource_changes": ', b"{not json", b'"x"'],
)
def test_broken_documents_are_one_terraform_error(text: bytes) -> None:
    with pytest.raises(TerraformError, match=r"malformed plan JSON|unsupported plan JSON"):
        read_plan(io.BytesIO(text))


def test_unsupported_format_version() -> None:
    doc = _with_drift()
    doc["format_version"] = "2.0"
    with pytest.raises(TerraformError, match="unsupported plan JSON format_version"):
        _read(doc)


@settings(max_examples=150, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=len(GOLDEN.read_bytes()) - 1),
    replacement=st.sampled_from([b"{", b"}", b"[", b"]", b'"', b",", b":", b"0", b"null", b""]),
)
def test_mutated_documents_only_raise_terraform_errors(position: int, replacement: bytes) -> None:
    data = GOLDEN.read_bytes()
    mutated = data[:position] + replacement + data[position + 1 :]
    try:
        read_plan(io.BytesIO(mutated))
    except TerraformError as exc:
        assert str(exc)


def test_changes_keep_values_only_for_drifted_resources() -> None:
    doc = _with_drift()  # terraform_data.app drifted; .slow is replaced, never drifted
    plan = read_plan(
        io.BytesIO(json.dumps(doc).encode()), changes_of_drifted_only=True, scanned=SCANNED_TYPES
    )
    whole = Plan.from_json(doc)
    by_address = {rc.address: rc for rc in plan.resource_changes}
    assert by_address["terraform_data.app"].change == whole.resource_changes[0].change
    slow = by_address["terraform_data.slow"].change
    assert slow.actions.replace() and slow.before is None and slow.after is None
    assert plan.resource_drift == whole.resource_drift
    assert plan.summary() == whole.summary()


def test_drift_after_changes_is_refused_when_values_depend_on_it() -> None:
    doc = _with_drift()
    reordered = {k: v for k, v in doc.items() if k != "resource_drift"}
    reordered["resource_drift"] = doc["resource_drift"]  # after resource_changes
    data = json.dumps(reordered).encode()
    with pytest.raises(TerraformError, match="resource_drift after resource_changes"):
        read_plan(io.BytesIO(data), changes_of_drifted_only=True, scanned=SCANNED_TYPES)
    assert read_plan(io.BytesIO(data)).resource_drift  # the full read does not care
