"""Verification, automatic rollback, windows, break-glass and notifications, end to end.

Real terraform on the basic fixture (terraform_data, local backend), a real HTTP health server
and a real Slack stand-in on 127.0.0.1. Production gets a verify block whose URL comes from an
output that embeds the image tag, so "v3 is broken" is a server that answers 503 for /v3.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli
from tests.servers import Health, Receiver

CANARY = "canary-token-1f3c9a"


@pytest.fixture
def health() -> Iterator[Health]:
    server = Health()
    yield server
    server.close()


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    server = Receiver()
    monkeypatch.setenv("OPS_SLACK", server.url + "/services/T0/B0/secret")
    yield server
    server.close()


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + "\n" + text + "\n")


def ops_project(basic_project: Path, health: Health, protection: str = "") -> Path:
    append(
        basic_project / "stack" / "main.tf",
        f'''
output "health_url" {{
  value = "{health.url}/health/${{var.image_tag}}"
}}''',
    )
    production = basic_project / "environments" / "production" / "environment.hcl"
    if protection:
        text = production.read_text().replace("protection {\n  confirm = true\n}\n", "")
        production.write_text(text + "\n" + protection)
    append(
        production,
        f'''
verify {{
  http "health" {{
    url_output = "health_url"
    timeout    = "3s"
    interval   = "1s"
  }}
  http "ping" {{
    url           = "{health.url}/ping?token=query-secret"
    expect_status = 200
    timeout       = "3s"
    interval      = "1s"
  }}
  on_failure = "rollback"
}}

notify "slack" {{
  webhook_url_env = "OPS_SLACK"
}}''',
    )
    return basic_project


def history(cli: Cli, env: str = "production") -> list[dict[str, Any]]:
    result = cli("history", env, "--json")
    assert result.exit_code == 0, result.output
    return list(reversed(json.loads(result.stdout)))


def events(slack: Receiver) -> list[str]:
    found = []
    for body in slack.bodies:
        for field in body["blocks"][1]["fields"]:
            if field["text"].startswith("*Event*"):
                found.append(field["text"].split("\n", 1)[1])
    return found


def test_verify_failure_rolls_back_automatically(
    basic_project: Path,
    health: Health,
    slack: Receiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    cli = Cli(ops_project(basic_project, health))
    assert cli("apply", "staging", "--set", "image_tag=v2", "--yes").exit_code == 0
    first = cli("promote", "--confirm", "production")
    assert first.exit_code == 0, first.output
    [release] = history(cli)
    assert (release["kind"], release["status"]) == ("promote", "verified")
    checks = release["verification"]["checks"]
    assert [(c["name"], c["ok"]) for c in checks] == [("health", True), ("ping", True)]
    assert "query-secret" not in json.dumps(release)

    assert cli("apply", "staging", "--set", "image_tag=v3", "--yes").exit_code == 0
    health.failing = {"/v3"}
    second = cli("promote", "--confirm", "production")
    assert second.exit_code == 4, second.output
    assert "expected HTTP 200, got HTTP 503" in second.output
    records = history(cli)
    assert [(r["seq"], r["kind"], r["status"]) for r in records] == [
        (1, "promote", "verified"),
        (2, "promote", "verify_failed"),
        (3, "rollback", "verified"),
    ]
    assert records[2]["target_seq"] == 1 and records[2]["rollback_of"] == 2
    outputs = json.loads(cli("outputs", "production", "--json").stdout)
    assert outputs["image_tag"]["value"] == "v2"
    assert "/health/v3" in health.paths and health.paths[-1] != "/health/v3"

    sent = events(slack)
    assert sent[0] == "promote" and "verify_failed" in sent and "auto_rollback" in sent
    failed = slack.bodies[sent.index("verify_failed")]
    assert "expected HTTP 200, got HTTP 503" in json.dumps(failed)
    for text in (json.dumps(slack.bodies), summary.read_text(), second.output):
        assert CANARY not in text and "services/T0/B0/secret" not in text
    assert "verification failed on production" in summary.read_text()

    # envman verify re-runs the checks on the release in place (#3, v2) and records them
    again = cli("verify", "production")
    assert again.exit_code == 0, again.output
    assert "verified → verified" in again.stdout
    health.failing = {"/v2"}
    broken = cli("verify", "production")
    assert broken.exit_code == 4, broken.output
    assert history(cli)[-1]["status"] == "verify_failed"
    assert history(cli)[-1]["verification"]["rerun"] is True


FRIDAY = "2026-03-06T10:00:00Z"
WINDOWS = """protection {
  confirm       = true
  deny_weekdays = ["Friday"]
  freeze "holidays" {
    from   = "2026-12-19"
    to     = "2027-01-04"
    reason = "Holiday code freeze"
  }
}
"""


def test_deny_day_refuses_and_break_glass_is_recorded(
    basic_project: Path, health: Health, slack: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(ops_project(basic_project, health, WINDOWS))
    monkeypatch.setenv("ENVMAN_NOW", FRIDAY)
    refused = cli("apply", "production", "--confirm", "production")
    assert refused.exit_code == 3
    assert (
        "production: deploys are not allowed on Friday (protection.deny_weekdays) until "
        "Saturday 2026-03-07 00:00 UTC"
    ) in refused.stderr
    assert not (basic_project / "state" / "production.tfstate").exists()

    forced = cli("apply", "production", "--confirm", "production", "--break-glass", "INC-7 fix")
    assert forced.exit_code == 0, forced.output
    [release] = history(cli)
    assert release["break_glass"] == {"reason": "INC-7 fix", "rules": ["deny_weekdays:Friday"]}
    [message] = slack.bodies
    assert "BREAK-GLASS" in message["blocks"][0]["text"]["text"]
    assert "INC-7 fix" in json.dumps(message) and "deny_weekdays:Friday" in json.dumps(message)
    # break-glass still needs the confirmation
    monkeypatch.setenv("ENVMAN_NOW", "2026-03-13T10:00:00Z")
    unconfirmed = cli("apply", "production", "--set", "replicas=4", "--break-glass", "x")
    assert unconfirmed.exit_code == 3 and "--confirm production" in unconfirmed.stderr


def test_freeze_refuses_with_its_end_but_allows_rollback(
    basic_project: Path, health: Health, slack: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(ops_project(basic_project, health, WINDOWS))
    monkeypatch.setenv("ENVMAN_NOW", "2026-12-01T10:00:00Z")  # a Tuesday before the freeze
    assert cli("apply", "production", "--confirm", "production").exit_code == 0
    assert (
        cli("apply", "production", "--set", "replicas=5", "--confirm", "production").exit_code == 0
    )
    monkeypatch.setenv("ENVMAN_NOW", "2026-12-23T10:00:00Z")  # a Wednesday in the freeze
    refused = cli("apply", "production", "--set", "replicas=6", "--confirm", "production")
    assert refused.exit_code == 3
    assert 'during freeze "holidays": Holiday code freeze (protection.freeze)' in refused.stderr
    assert "until Tuesday 2027-01-05 00:00 UTC" in refused.stderr
    rolled = cli("rollback", "production", "--confirm", "production")
    assert rolled.exit_code == 0, rolled.output
    assert history(cli)[-1]["kind"] == "rollback" and history(cli)[-1]["target_seq"] == 1
    outputs = json.loads(cli("outputs", "production", "--json").stdout)
    assert outputs["replicas"]["value"] == 3
