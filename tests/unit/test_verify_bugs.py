"""A bug in envman's own verify code is an error, never a failed check (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envman.config.project import Environment, load_project
from envman.errors import EnvmanError
from envman.verify.runner import CheckCrashed, verify_environment

ENV = """
backend "local" {
  path = "s.tfstate"
}
verify {
  http "api" {
    url     = "http://127.0.0.1:9/health"
    timeout = "1s"
  }
  on_failure = "rollback"
}
"""


@pytest.fixture
def env(tmp_path: Path) -> Environment:
    folder = tmp_path / "environments" / "prod"
    folder.mkdir(parents=True)
    (folder / "environment.hcl").write_text(ENV)
    (tmp_path / "terraform").mkdir()
    return load_project(tmp_path).environment("prod")


def test_a_crash_in_check_code_is_an_error_naming_the_check(
    env: Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    def buggy(*_: object) -> dict[str, object]:
        raise KeyError("status")  # what a bug in a check looks like

    monkeypatch.setattr("envman.verify.runner.run_http_check", buggy)
    with pytest.raises(CheckCrashed, match="verify check http api crashed: KeyError"):
        verify_environment(env, {}, None)
    assert not issubclass(CheckCrashed, EnvmanError)  # reported as a bug, not a user error


def test_a_check_that_fails_is_a_failed_check(
    env: Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_: object) -> dict[str, object]:
        raise EnvmanError("AccessDenied on ecs:DescribeServices")

    monkeypatch.setattr("envman.verify.runner.run_http_check", refused)
    outcome = verify_environment(env, {}, None)
    assert outcome.ran and not outcome.ok
    assert "AccessDenied" in outcome.summary()
