"""A failing notification is logged with its message (never the webhook URL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envman.config.project import load_project
from envman.notify.dispatch import Notification, notify

ENV = """
backend "local" {
  path = "s.tfstate"
}
notify "slack" {
  webhook_url_env = "TEST_HOOK"
  events          = ["apply"]
}
"""
SECRET_URL = "https://hooks.slack.invalid/services/T000/B000/secret-token"


def test_the_notifier_logs_the_message_not_just_the_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "environments" / "dev"
    folder.mkdir(parents=True)
    (folder / "environment.hcl").write_text(ENV)
    (tmp_path / "terraform").mkdir()
    env = load_project(tmp_path).environment("dev")
    monkeypatch.setenv("TEST_HOOK", SECRET_URL)

    def broken(url: str, *_: object) -> None:
        raise RuntimeError(f"cannot encode the message for {url}: bad field 'title'")

    monkeypatch.setattr("envman.notify.dispatch.post_message", broken)
    notify(env, Notification(event="apply", environment="dev", title="t"))
    err = capsys.readouterr().err
    assert "notification 'apply' failed: RuntimeError: cannot encode" in err
    assert "bad field 'title'" in err
    assert SECRET_URL not in err and "$TEST_HOOK" in err
