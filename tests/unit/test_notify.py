"""Notifications against a real HTTP receiver on 127.0.0.1: payloads, retries, bounds, secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from envman.config.models import EnvironmentConfig
from envman.config.project import Environment
from envman.notify.dispatch import Notification, notify
from envman.notify.summary import step_summary
from tests.servers import Receiver, serving

CANARY = "canary-token-1f3c9a"
RELEASE = {
    "seq": 4,
    "kind": "promote",
    "status": "verified",
    "actor": "alice",
    "outputs": {"image_tag": "v3", "api_token": {"sensitive": True}},
    "break_glass": None,
}


def make_env(blocks: list[dict[str, Any]]) -> Environment:
    config = EnvironmentConfig.model_validate({"notify": blocks})
    here = Path("/nonexistent")
    return Environment("production", here, here / "environment.hcl", config, here, here)


def slack(events: list[str] | None = None, var: str = "SLACK_HOOK") -> dict[str, Any]:
    block: dict[str, Any] = {"__label__": "slack", "webhook_url_env": var}
    if events is not None:
        block["events"] = events
    return block


def promote(**extra: Any) -> Notification:
    fields: dict[str, Any] = {
        "event": "promote",
        "environment": "production",
        "title": "promote of production succeeded",
        "lines": ["image_tag: v2 → v3"],
        "release": RELEASE,
    }
    fields.update(extra)
    return Notification(**fields)


def test_block_kit_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.example")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/deals")
    monkeypatch.setenv("GITHUB_RUN_ID", "77")
    with serving(Receiver()) as receiver:
        monkeypatch.setenv("SLACK_HOOK", receiver.url + "/hook")
        notify(make_env([slack(["promote"])]), promote())
        [body] = receiver.bodies
    blocks = body["blocks"]
    assert blocks[0]["type"] == "header"
    assert "promote of production succeeded" in blocks[0]["text"]["text"]
    fields = " ".join(f["text"] for f in blocks[1]["fields"])
    for text in (
        "*Environment*\nproduction",
        "*Event*\npromote",
        "*Actor*\nalice",
        "#4 (promote, verified)",
    ):
        assert text in fields
    assert "image_tag: v2 → v3" in blocks[2]["text"]["text"]
    assert "https://github.example/acme/deals/actions/runs/77" in blocks[3]["elements"][0]["text"]
    assert CANARY not in json.dumps(body)


def test_only_subscribed_blocks_and_break_glass_event(monkeypatch: pytest.MonkeyPatch) -> None:
    with (
        serving(Receiver()) as deploys,
        serving(Receiver()) as security,
        serving(Receiver()) as quiet,
    ):
        monkeypatch.setenv("DEPLOYS", deploys.url)
        monkeypatch.setenv("SECURITY", security.url)
        monkeypatch.setenv("QUIET", quiet.url)
        env = make_env(
            [
                slack(["apply", "promote"], "DEPLOYS"),
                slack(["break_glass"], "SECURITY"),
                slack(["drift"], "QUIET"),
            ]
        )
        release = {**RELEASE, "break_glass": {"reason": "INC-9", "rules": ["deny_weekdays:Friday"]}}
        notify(env, promote(break_glass="INC-9 hotfix", release=release))
        assert len(deploys.bodies) == 1 and len(security.bodies) == 1 and not quiet.raw
    for body in (deploys.bodies[0], security.bodies[0]):
        text = json.dumps(body)
        assert "BREAK-GLASS" in body["blocks"][0]["text"]["text"]
        assert "INC-9 hotfix" in text and "deny_weekdays:Friday" in text
    assert "*Event*\\nbreak_glass" in json.dumps(security.bodies[0])


def test_retries_then_delivers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving(Receiver([503, 500])) as receiver:
        monkeypatch.setenv("SLACK_HOOK", receiver.url)
        notify(make_env([slack()]), promote())
        assert len(receiver.raw) == 3 and len(receiver.bodies) == 1
    assert "warning" not in capsys.readouterr().err


def test_failures_are_bounded_logged_without_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving(Receiver([503] * 10)) as receiver:
        secret_url = receiver.url + "/services/T000/B000/sekret"
        monkeypatch.setenv("SLACK_HOOK", secret_url)
        notify(make_env([slack()]), promote())
        assert len(receiver.raw) == 3  # bounded: three tries, then it gives up
    err = capsys.readouterr().err
    assert "not delivered: HTTP 503 (after 3 tries)" in err
    assert "sekret" not in err and receiver.url not in err


def test_unreachable_and_client_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving(Receiver([404])) as receiver:
        monkeypatch.setenv("SLACK_HOOK", receiver.url + "/gone")
        notify(make_env([slack()]), promote())
        assert len(receiver.raw) == 1  # a 4xx is not retried
    closed = Receiver()
    closed.close()
    monkeypatch.setenv("SLACK_HOOK", closed.url + "/x")
    notify(make_env([slack()]), promote())
    monkeypatch.setenv("SLACK_HOOK", "not a url")
    notify(make_env([slack()]), promote())
    err = capsys.readouterr().err
    assert "HTTP 404" in err and "Connection refused" in err and "not valid" in err
    assert closed.url not in err and "not a url" not in err


def test_missing_variable_is_a_warning(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SLACK_HOOK", raising=False)
    notify(make_env([slack()]), promote())
    assert "$SLACK_HOOK is not set" in capsys.readouterr().err


def test_step_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# before\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    notify(make_env([]), promote())
    notify(
        make_env([]),
        promote(event="verify_failed", title="verification failed | prod", break_glass="INC-9"),
    )
    text = summary.read_text()
    assert text.startswith("# before\n### 🚀 promote of production succeeded")
    assert "| Environment | production |" in text and "- image_tag: v2 → v3" in text
    assert "### 🚨 verification failed \\| prod" in text
    assert "**Break-glass:**" in text and "INC-9" in text
    assert CANARY not in text
    assert step_summary(promote()).endswith("\n\n")


def test_what_leaves_is_redacted_short_values_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A notification body never carries a known sensitive value, even one too short to be
    redacted in terminal text; the webhook URL itself is one (issue 13)."""
    from envman.secrets import redactor

    redactor.forget_all()
    redactor.remember("k9")  # short: terminal text keeps it, what is sent never does
    redactor.remember("long-secret-4e2a")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    with serving(Receiver()) as receiver:
        monkeypatch.setenv("SLACK_HOOK", receiver.url + "/hook-url-canary")
        notification = Notification(
            event="apply_failed",
            environment="production",
            title="apply of production failed",
            lines=[
                "terraform: invalid value k9 and long-secret-4e2a",
                f"posting to {receiver.url}/hook-url-canary",
            ],
            release=RELEASE,
        )
        notify(make_env([slack(["apply_failed"])]), notification)
        [body] = receiver.bodies
    sent = json.dumps(body) + summary.read_text()
    for secret in ("k9", "long-secret-4e2a", "hook-url-canary"):
        assert secret not in sent
    assert "invalid value <sensitive> and <sensitive>" in sent
    redactor.forget_all()


def test_a_replaced_clock_is_announced_like_a_break_glass(monkeypatch: pytest.MonkeyPatch) -> None:
    release = {**RELEASE, "clock_override": {"now": "2027-01-01T00:00:00Z", "real": "x"}}
    with serving(Receiver()) as security:
        monkeypatch.setenv("SEC_HOOK", security.url + "/s")
        notify(make_env([slack(["break_glass"], var="SEC_HOOK")]), promote(release=release))
        [body] = security.bodies
    text = json.dumps(body)
    assert "BREAK-GLASS" in text and "ENVMAN_NOW (2027-01-01T00:00:00Z)" in text
