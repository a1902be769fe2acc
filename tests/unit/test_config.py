"""Configuration loading: models, normalisation, errors naming file, line and key."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envman.config.project import load_project
from envman.errors import ConfigError, UsageError
from envman.timeutil import parse_duration, parse_time_point

FULL = """
description = "Live system used by end users"
stack       = "../../stack"

backend "s3" {
  bucket       = "agentic-deals-tfstate"
  key          = "production/terraform.tfstate"
  region       = "us-east-1"
  use_lockfile = true
}

aws {
  region       = "us-east-1"
  role_arn     = "arn:aws:iam::111122223333:role/envman"
  endpoint_url = "http://127.0.0.1:4566"
}

promotion {
  from      = "staging"
  variables = {
    backend_image_tag = "backend_image_tag"
  }
  require_verified = true
  min_soak         = "2h"
}

protection {
  confirm       = true
  deny_weekdays = ["Friday", "Saturday", "Sunday"]
  timezone      = "Europe/Paris"
  freeze "holidays" {
    from   = "2026-12-19"
    to     = "2027-01-04"
    reason = "Holiday code freeze"
  }
  allow_rollback_in_freeze = true
}

verify {
  http "api" {
    url_output    = "health_url"
    expect_status = 200
    timeout       = "120s"
  }
  ecs_stable = true
  on_failure = "rollback"
}

hook "after_apply" {
  command     = ["alembic", "upgrade", "head"]
  working_dir = "../../backend"
}

notify "slack" {
  webhook_url_env = "SLACK_WEBHOOK"
  events          = ["apply_failed", "promote", "rollback", "verify_failed", "drift"]
}

drift {
  ignore = ["aws_db_instance.*.latest_restorable_time"]
}
"""


def make_project(tmp_path: Path, text: str, name: str = "production") -> Path:
    (tmp_path / "stack").mkdir(exist_ok=True)
    (tmp_path / "stack" / "main.tf").write_text('variable "x" {}\n')
    env = tmp_path / "environments" / name
    env.mkdir(parents=True, exist_ok=True)
    (env / "environment.hcl").write_text(text)
    return env / "environment.hcl"


def test_every_block_of_the_design_parses(tmp_path: Path) -> None:
    make_project(tmp_path, FULL)
    env = load_project(tmp_path).environment("production")
    config = env.config
    assert config.backend is not None and config.backend.type == "s3"
    assert config.backend.config["use_lockfile"] is True
    assert config.promotion is not None and config.promotion.min_soak == timedelta(hours=2)
    assert config.protection.freeze[0].name == "holidays"
    assert config.protection.freeze[0].end == date(2027, 1, 4)
    assert config.protection.deny_weekdays == ["Friday", "Saturday", "Sunday"]
    assert config.verify is not None and config.verify.http[0].url_output == "health_url"
    assert config.verify.http[0].timeout == timedelta(seconds=120)
    assert config.hook[0].event == "after_apply"
    assert config.hook[0].command == ["alembic", "upgrade", "head"]
    assert config.notify[0].kind == "slack"
    assert config.drift.ignore == ["aws_db_instance.*.latest_restorable_time"]
    assert env.stack_dir == (tmp_path / "stack").resolve()


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ('min_soak         = "2h"', 'min_soak = "two hours"', "invalid duration"),
        ('to     = "2027-01-04"', 'to = "2027-13-04"', "invalid date"),
        ('timezone      = "Europe/Paris"', 'timezone = "Mars/Olympus"', "unknown timezone"),
        ('on_failure = "rollback"', 'on_failure = "pray"', "verify.on_failure"),
        ('"Friday", "Saturday"', '"Fryday", "Saturday"', "unknown weekday"),
        ("confirm       = true", 'confirm = "maybe"', "protection.confirm"),
        ('hook "after_apply"', 'hook "after_lunch"', "hook.after_lunch"),
    ],
)
def test_bad_values_name_file_line_and_key(
    tmp_path: Path, replace: str, by: str, message: str
) -> None:
    assert replace in FULL
    text = FULL.replace(replace, by)
    path = make_project(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path).environment("production")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if by.split("=")[0].strip() in t)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)


def test_unknown_key_lists_allowed_keys(tmp_path: Path) -> None:
    path = make_project(tmp_path, FULL.replace("ecs_stable = true", "ecs_stabel = true"))
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path).environment("production")
    text = str(caught.value)
    assert text.startswith(f"{path}:")
    assert "unknown key 'ecs_stabel'" in text and "ecs_stable" in text


def test_block_given_twice(tmp_path: Path) -> None:
    make_project(tmp_path, FULL + '\naws {\n  region = "eu-west-1"\n}\n')
    with pytest.raises(ConfigError, match="block 'aws' is given 2 times"):
        load_project(tmp_path).environment("production")


def test_project_defaults_are_inherited(tmp_path: Path) -> None:
    make_project(tmp_path, 'backend "local" {\n  path = "s.tfstate"\n}\n')
    (tmp_path / "envman.hcl").write_text(
        'stack = "stack"\nprovider_mirror = "mirror"\n'
        'terraform {\n  binary = "tofu"\n}\nprotection {\n  confirm = true\n}\n'
    )
    project = load_project(tmp_path)
    env = project.environment("production")
    assert env.protected
    assert env.stack_dir == (tmp_path / "stack").resolve()
    assert project.settings.terraform.binary == "tofu"
    assert env.backend_config()["path"] == str((tmp_path / "s.tfstate").resolve())


def test_unknown_environment_lists_known(tmp_path: Path) -> None:
    make_project(tmp_path, FULL)
    with pytest.raises(UsageError, match=r"unknown environment 'prod'.*production"):
        load_project(tmp_path).environment("prod")


def test_no_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="no envman project found"):
        load_project(None)


def test_missing_stack_folder(tmp_path: Path) -> None:
    make_project(tmp_path, 'stack = "../../nowhere"\n')
    with pytest.raises(ConfigError, match="nowhere does not exist"):
        load_project(tmp_path).environment("production")


def test_durations_and_time_points() -> None:
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration(45) == timedelta(seconds=45)
    for bad in ("", "5 parsecs", "h", True, "1h-2m"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert parse_time_point("2026-12-19") == date(2026, 12, 19)
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_time_point("2026-12-19T10:00:00")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [*'abc{}[]"=\n #.,01_', "true", "backend", "aws", "protection", " = ", '"x"', "\n"]
        ),
        max_size=40,
    )
)
def test_fuzzed_environment_files_only_raise_envman_errors(tokens: list[str]) -> None:
    text = "".join(tokens)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_project(root, text)
        try:
            load_project(root).environment("production")
        except ConfigError as exc:  # names the file (and a line within it, when it has one)
            _assert_names_the_file(exc, root, text)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(FULL) - 1),
    st.sampled_from(['"', "{", "}", "=", "\n", "x"]),
)
def test_mutated_full_file_only_raises_envman_errors(position: int, char: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        text = FULL[:position] + char + FULL[position + 1 :]
        make_project(root, text)
        try:
            load_project(root).environment("production")
        except ConfigError as exc:
            _assert_names_the_file(exc, root, text)


def _assert_names_the_file(exc: ConfigError, root: Path, text: str) -> None:
    assert exc.path is not None and Path(exc.path).name == "environment.hcl", str(exc)
    assert str(exc).startswith(exc.path), str(exc)
    if exc.line is not None:
        assert 1 <= exc.line <= text.count("\n") + 1, str(exc)
    assert "Token(" not in str(exc) and "Traceback" not in str(exc)
