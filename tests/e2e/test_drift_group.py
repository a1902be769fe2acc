"""`drift` is a command group: check (the default), ack, baseline; each with its own options."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from envman.drift.rules import Acknowledgement, baseline_doc_with
from tests.helpers import Cli


def test_an_environment_named_ack_can_be_checked(basic_project: Path) -> None:
    envs = basic_project / "environments"
    shutil.copytree(envs / "dev", envs / "ack")
    hcl = envs / "ack" / "environment.hcl"
    hcl.write_text(hcl.read_text().replace("state/dev.tfstate", "state/ack.tfstate"))
    cli = Cli(basic_project)
    result = cli("drift", "check", "ack")
    assert result.exit_code == 0, result.output
    assert any(line.split()[:2] == ["ack", "pending"] for line in result.stdout.splitlines())
    assert "drift: ack: pending" in result.stderr
    # without `check`, `ack` is the subcommand, which wants its own arguments
    assert cli("drift", "ack").exit_code == 1


def test_drift_env_is_drift_check_env(cli: Cli) -> None:
    implicit = cli("drift", "dev", "--json")
    explicit = cli("drift", "check", "dev", "--json")
    assert implicit.exit_code == explicit.exit_code == 0, implicit.output
    assert '"status": "pending"' in implicit.stdout and '"status": "pending"' in explicit.stdout


def test_json_is_an_alias_of_format_json(cli: Cli) -> None:
    alias = cli("drift", "dev", "--json")
    spelled = cli("drift", "dev", "--format", "json")
    assert alias.exit_code == spelled.exit_code == 0, alias.output
    docs = [json.loads(r.stdout) for r in (alias, spelled)]
    for doc in docs:
        doc.pop("checked_at")
        for env in doc["environments"]:
            env.pop("duration_s")
    assert docs[0] == docs[1]
    conflict = cli("drift", "dev", "--json", "--format", "markdown")
    assert conflict.exit_code == 1 and "--json conflicts with --format markdown" in conflict.output
    assert "Alias of --format json" in cli("drift", "check", "--help").stdout


def test_ack_never_drops_entries_it_cannot_read() -> None:
    unreadable = {"fingerprint": "aaaa", "expires": "not a date", "reason": "?"}
    from_newer = {"fingerprint": "bbbb", "expires": "2099-01-01T00:00:00Z", "scope": "x"}
    replaced = {"fingerprint": "cccc", "expires": "2099-01-01T00:00:00Z", "reason": "old"}
    doc = {"schema": 1, "entries": [unreadable, "garbage", from_newer, replaced]}
    new = Acknowledgement(
        fingerprint="cccc",
        reason="new",
        expires=datetime(2099, 1, 1, tzinfo=UTC),
        address="a.b",
        attribute="tags",
        acknowledged_at="2026-01-01T00:00:00Z",
        actor="me",
    )
    out = baseline_doc_with(doc, new)
    assert out["entries"][:3] == [unreadable, "garbage", from_newer]
    assert [e.get("reason") for e in out["entries"] if isinstance(e, dict)][-1] == "new"
    assert sum(1 for e in out["entries"] if isinstance(e, dict) and e["fingerprint"] == "cccc") == 1


def test_a_bug_in_drift_is_reported_as_one_and_logged(
    cli: Cli, basic_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> object:
        raise KeyError("resource_drift")

    monkeypatch.setattr("envman.flow.drift.classify", broken)
    result = cli("drift", "dev", "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)["environments"][0]
    assert report["status"] == "error"
    assert "internal error: KeyError: 'resource_drift'" in report["error"]
    assert "bug in envman" in report["error"]
    log = (basic_project / ".envman" / "envman.log").read_text()
    assert "Traceback" in log and "resource_drift" in log
