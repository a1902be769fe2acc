"""Deploy windows: deny days and freezes in the protection's timezone, next allowed moment."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from envman.config.models import EnvironmentConfig
from envman.config.project import Environment
from envman.errors import ProtectionRefused, UsageError
from envman.protect.windows import check_windows, next_allowed
from envman.timeutil import parse_rfc3339


def env_with(protection: dict[str, Any], tmp: Path = Path("/nonexistent")) -> Environment:
    config = EnvironmentConfig.model_validate({"protection": protection})
    return Environment("production", tmp, tmp / "environment.hcl", config, tmp, tmp)


def at(text: str) -> datetime:
    return parse_rfc3339(text)


def refusal(env: Environment, when: str, operation: str = "apply") -> str:
    with pytest.raises(ProtectionRefused) as info:
        check_windows(env, operation, at(when), None)  # type: ignore[arg-type]
    assert info.value.exit_code == 3
    return str(info.value)


def test_allowed_day_returns_no_rules() -> None:
    env = env_with({"deny_weekdays": ["Friday"]})
    assert check_windows(env, "apply", at("2026-03-05T23:59:59Z"), None) == []  # Thursday


def test_deny_day_names_rule_and_end() -> None:
    env = env_with({"deny_weekdays": ["Friday"]})
    message = refusal(env, "2026-03-06T10:00:00Z")
    assert "production: deploys are not allowed on Friday (protection.deny_weekdays)" in message
    assert "until Saturday 2026-03-07 00:00 UTC" in message
    assert "--break-glass" in message


def test_consecutive_deny_days_are_skipped() -> None:
    env = env_with({"deny_weekdays": ["Fri", "saturday", "Sunday"]})
    message = refusal(env, "2026-03-06T10:00:00Z", "promote")
    assert "until Monday 2026-03-09 00:00 UTC" in message


def test_deny_day_is_evaluated_in_the_timezone() -> None:
    env = env_with({"deny_weekdays": ["Friday"], "timezone": "Pacific/Auckland"})
    # Thursday 12:00 UTC is already Friday 01:00 in Auckland (UTC+13 in March)
    message = refusal(env, "2026-03-05T12:00:00Z")
    assert "until Saturday 2026-03-07 00:00 NZDT" in message
    # Friday 12:00 UTC is Saturday in Auckland: allowed
    assert check_windows(env, "apply", at("2026-03-06T12:00:00Z"), None) == []


def test_freeze_dates_are_inclusive_whole_days() -> None:
    freeze = {
        "__label__": "holidays",
        "from": "2026-12-19",
        "to": "2027-01-04",
        "reason": "Holiday code freeze",
    }
    env = env_with({"freeze": [freeze], "timezone": "Europe/Paris"})
    assert check_windows(env, "apply", at("2026-12-18T22:59:59Z"), None) == []  # 23:59 Paris
    first = refusal(env, "2026-12-18T23:00:00Z")  # 00:00 Paris on the 19th
    assert 'during freeze "holidays": Holiday code freeze (protection.freeze)' in first
    assert "until Tuesday 2027-01-05 00:00 CET" in first
    refusal(env, "2027-01-04T22:59:00Z")  # last minute of the 4th in Paris
    assert check_windows(env, "apply", at("2027-01-04T23:00:00Z"), None) == []


def test_freeze_with_instants() -> None:
    freeze = {
        "__label__": "migration",
        "from": "2026-05-01T08:00:00Z",
        "to": "2026-05-01T12:30:00+02:00",
    }
    env = env_with({"freeze": [freeze]})
    assert check_windows(env, "apply", at("2026-05-01T07:59:59Z"), None) == []
    assert "until Friday 2026-05-01 10:30 UTC" in refusal(env, "2026-05-01T09:00:00Z")
    assert check_windows(env, "apply", at("2026-05-01T10:30:00Z"), None) == []


def test_overlapping_freeze_and_deny_days_chain() -> None:
    freezes = [
        {"__label__": "a", "from": "2026-03-02", "to": "2026-03-04"},  # Mon-Wed
        {"__label__": "b", "from": "2026-03-04", "to": "2026-03-05"},  # Wed-Thu
    ]
    env = env_with({"freeze": freezes, "deny_weekdays": ["Friday", "Saturday"]})
    message = refusal(env, "2026-03-03T12:00:00Z")
    # a ends Thu 00:00 -> b runs through Thursday -> Fri, Sat denied -> Sunday 00:00
    assert "until Sunday 2026-03-08 00:00 UTC" in message
    assert 'freeze "a"' in message


def test_two_rules_at_once_are_both_named() -> None:
    freeze = {"__label__": "holidays", "from": "2026-12-24", "to": "2026-12-26"}
    env = env_with({"freeze": [freeze], "deny_weekdays": ["Friday"]})
    message = refusal(env, "2026-12-25T09:00:00Z")  # a Friday inside the freeze
    assert 'on Friday (protection.deny_weekdays) and during freeze "holidays"' in message
    assert "until Sunday 2026-12-27 00:00 UTC" in message


def test_break_glass_returns_overridden_rules() -> None:
    freeze = {"__label__": "holidays", "from": "2026-12-24", "to": "2026-12-26"}
    env = env_with({"freeze": [freeze], "deny_weekdays": ["Friday"]})
    said: list[str] = []
    rules = check_windows(env, "apply", at("2026-12-25T09:00:00Z"), "INC-42 outage", said.append)
    assert rules == ["deny_weekdays:Friday", "freeze:holidays"]
    assert len(said) == 1 and "INC-42 outage" in said[0]  # through the caller's callback
    assert check_windows(env, "apply", at("2026-12-22T09:00:00Z"), "not needed", said.append) == []
    assert len(said) == 1  # nothing overridden, nothing said


def test_break_glass_needs_a_reason() -> None:
    with pytest.raises(UsageError):
        check_windows(env_with({}), "apply", at("2026-12-22T09:00:00Z"), "  ")


def test_rollback_allowed_on_deny_days_and_in_freezes_by_default() -> None:
    freeze = {"__label__": "holidays", "from": "2026-12-24", "to": "2026-12-26"}
    env = env_with({"freeze": [freeze], "deny_weekdays": ["Friday"]})
    assert check_windows(env, "rollback", at("2026-12-25T09:00:00Z"), None) == []


def test_rollback_refused_in_freeze_when_not_allowed() -> None:
    freeze = {"__label__": "holidays", "from": "2026-12-24", "to": "2026-12-26"}
    env = env_with(
        {"freeze": [freeze], "deny_weekdays": ["Friday"], "allow_rollback_in_freeze": False}
    )
    message = refusal(env, "2026-12-25T09:00:00Z", "rollback")
    assert "rollbacks are not allowed during freeze" in message
    assert "Friday" not in message.split("until")[0]
    assert "until Sunday 2026-12-27 00:00 UTC" in message


def test_every_day_denied_never_allowed() -> None:
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    env = env_with({"deny_weekdays": days})
    assert next_allowed(env.config.protection, "apply", at("2026-03-06T10:00:00Z")) is None
    assert "every weekday is denied" in refusal(env, "2026-03-06T10:00:00Z")
