"""The shared vocabulary: release kinds and statuses, drift statuses, plan actions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from envman.drift.model import DriftStatus, error_result
from envman.releases.models import SUCCESS_STATUSES, Kind, Release, Status, entries_json
from envman.terraform.models import Action, Actions, changes_nothing
from envman.terraform.plan import StreamedPlan


def record(**extra: Any) -> dict[str, Any]:
    return {
        "schema": 1,
        "environment": "dev",
        "seq": 3,
        "kind": "apply",
        "status": "applied",
    } | extra


def test_statuses_and_kinds_compare_equal_to_their_strings() -> None:
    release = Release.from_json(record())
    assert release.status == "applied" and release.status is Status.APPLIED
    assert release.kind == "apply" and release.kind is Kind.APPLY
    assert release.succeeded and Status.VERIFIED in SUCCESS_STATUSES
    assert json.loads(json.dumps(release.to_json()))["status"] == "applied"
    status = error_result("dev", "boom").status
    assert isinstance(status, DriftStatus) and status == DriftStatus("error")
    assert json.dumps({"s": status}) == '{"s": "error"}'


def test_a_misspelt_field_is_refused_in_code() -> None:
    with pytest.raises(ValidationError, match="rollbak_of"):
        Release(**record(rollbak_of=3))
    release = Release.from_json(record())
    with pytest.raises(ValidationError):
        release.rollbak_of = 3  # type: ignore[attr-defined]


def test_a_bogus_status_is_never_written() -> None:
    release = Release.from_json(record())
    with pytest.raises(ValidationError):
        release.status = "applyed"  # type: ignore[assignment]
    release.status = "verified"  # type: ignore[assignment]  # the string is validated to the enum
    assert release.status is Status.VERIFIED
    with pytest.raises(ValidationError):
        release.seq = "three"  # type: ignore[assignment]


def test_fields_a_newer_envman_wrote_are_kept_and_written_back() -> None:
    data = record(
        reviewed_by="alice",
        components={"network": {"seq": 2}},
        source={"environment": "staging", "seq": 7, "digest": "abc"},
    )
    release = Release.from_json(data)
    release.status = Status.VERIFIED
    out = release.to_json()
    assert out["reviewed_by"] == "alice"
    assert out["components"] == {"network": {"seq": 2}}
    assert out["source"]["digest"] == "abc"
    assert out["status"] == "verified"
    again = Release.from_json(json.loads(json.dumps(out)))
    assert again.to_json() == out
    assert release.unknown_fields == {"reviewed_by": "alice"}
    assert release.components is not None  # schema 2 (components) is known now: typed entries
    assert entries_json(release.components) == {"network": {"seq": 2}}


def test_a_record_copied_keeps_unknown_fields() -> None:
    release = Release.from_json(record(extra_field=1))
    assert release.model_copy(deep=True).to_json()["extra_field"] == 1


@pytest.mark.parametrize(
    ("raw", "noop", "replace"),
    [
        (["no-op"], True, False),
        (["read"], True, False),
        ("noop", True, False),
        ("", True, False),
        (None, True, False),
        ([], True, False),
        ("replace", False, True),
        (["delete", "create"], False, True),
        (["create", "delete"], False, True),
        (["update"], False, False),
        ("create", False, False),
        ("some-future-action", False, False),
    ],
)
def test_one_definition_of_actions(raw: Any, noop: bool, replace: bool) -> None:
    actions = Actions.of(raw)
    assert actions.noop() is noop
    assert actions.replace() is replace
    if isinstance(raw, str) or raw is None:
        assert changes_nothing(raw) is noop


def test_action_words_are_kept_as_terraform_wrote_them() -> None:
    assert Action.parse("noop") == "noop" and Action.parse("no-op") == "no-op"
    assert Action.parse("move") is Action.MOVE
    assert Action.parse("teleport") == "teleport"  # a newer terraform's word stays visible
    assert str(Actions.of(["delete", "create"])) == "replace"


def test_streamed_plan_judges_outputs_by_the_same_actions() -> None:
    plan = StreamedPlan()
    plan.feed(
        {
            "type": "planned_change",
            "change": {"resource": {"addr": "terraform_data.a"}, "action": "replace"},
        }
    )
    plan.feed({"type": "outputs", "outputs": {"x": {"action": "noop"}, "y": {"action": "update"}}})
    plan.feed({"type": "change_summary", "changes": {"add": 1, "change": 0, "remove": 1}})
    assert plan.planned == [("terraform_data.a", Action.REPLACE)]
    assert plan.summary.replace == 1
    assert plan.summary.outputs_changed == 1
