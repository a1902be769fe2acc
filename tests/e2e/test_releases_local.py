"""Releases, promotion and rollback end to end on terraform_data stacks (local backend)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli


def outputs(cli: Cli, env: str) -> dict[str, object]:
    result = cli("outputs", env, "--json")
    assert result.exit_code == 0, result.output
    return {k: v["value"] for k, v in json.loads(result.stdout).items()}


def history(cli: Cli, env: str) -> list[dict[str, Any]]:
    result = cli("history", env, "--json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def add_to_promotion(project: Path, text: str) -> None:
    path = project / "environments" / "production" / "environment.hcl"
    path.write_text(path.read_text().replace("promotion {\n", "promotion {\n" + text + "\n"))


def test_promote_rollback_and_pinned_inputs(cli: Cli) -> None:
    assert cli("apply", "staging", "--set", "image_tag=v2", "--yes").exit_code == 0
    promoted = cli("promote", "--confirm", "production")
    assert promoted.exit_code == 0, promoted.output
    assert "image_tag" in promoted.stdout and "v2" in promoted.stdout  # the version table
    assert outputs(cli, "production")["image_tag"] == "v2"
    release = history(cli, "production")[0]
    assert release["kind"] == "promote" and release["status"] == "applied"
    assert release["source"]["environment"] == "staging" and release["source"]["seq"] == 1
    assert release["source"]["lineage"] and release["source"]["serial"]
    assert release["inputs"] == {"frontend_release": "f1", "image_tag": "v2"}
    assert release["outputs"]["api_token"] == {"sensitive": True}
    assert release["state"]["serial_after"] > (release["state"]["serial_before"] or 0)

    assert cli("apply", "staging", "--set", "image_tag=v3", "--yes").exit_code == 0
    assert cli("promote", "production", "--confirm", "production").exit_code == 0
    assert outputs(cli, "production")["image_tag"] == "v3"

    rolled = cli("rollback", "production", "--confirm", "production")
    assert rolled.exit_code == 0, rolled.output
    assert outputs(cli, "production")["image_tag"] == "v2"
    records = history(cli, "production")
    assert [r["kind"] for r in records] == ["rollback", "promote", "promote"]
    assert records[0]["target_seq"] == 1 and records[0]["rollback_of"] == 2
    assert records[1]["status"] == "rolled_back"

    plain = cli("plan", "production", "--detailed-exitcode")
    assert plain.exit_code == 0, plain.output  # pinned inputs: no silent revert
    assert "Pinned from release #3" in plain.stdout

    status = json.loads(cli("status", "--json").stdout)
    pending = status["pending_promotions"]
    assert pending == [
        {
            "source": "staging",
            "target": "production",
            "variable": "image_tag",
            "source_value": "v3",
            "target_value": "v2",
            "output": "image_tag",
        }
    ]


def test_dry_runs_change_nothing(cli: Cli, basic_project: Path) -> None:
    assert cli("apply", "staging", "--yes").exit_code == 0
    dry = cli("promote", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert not (basic_project / "state" / "production.tfstate").exists()
    assert history(cli, "production") == []


def test_require_verified_refuses_unverified_source(cli: Cli, basic_project: Path) -> None:
    add_to_promotion(basic_project, "  require_verified = true")
    assert cli("apply", "staging", "--yes").exit_code == 0
    refused = cli("promote", "--confirm", "production")
    assert refused.exit_code == 3
    assert "not verified" in refused.stderr and "#1" in refused.stderr


def test_min_soak(cli: Cli, basic_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_to_promotion(basic_project, '  min_soak = "2h"')
    monkeypatch.setenv("ENVMAN_NOW", "2026-11-24T10:00:00Z")
    assert cli("apply", "staging", "--yes").exit_code == 0
    monkeypatch.setenv("ENVMAN_NOW", "2026-11-24T11:00:00Z")
    refused = cli("promote", "--confirm", "production")
    assert refused.exit_code == 3
    assert "min_soak is 2h" in refused.stderr and "again in 1h" in refused.stderr
    monkeypatch.setenv("ENVMAN_NOW", "2026-11-24T12:30:00Z")
    assert cli("promote", "--confirm", "production").exit_code == 0


def test_missing_source_output_is_an_error(cli: Cli, basic_project: Path) -> None:
    add_to_promotion(basic_project, '  variables = { image_tag = "no_such_output" }')
    path = basic_project / "environments" / "production" / "environment.hcl"
    text = path.read_text()
    path.write_text(
        text.replace(
            '  variables = {\n    image_tag        = "image_tag"\n    frontend_release = "frontend_release"\n  }\n',
            "",
        )
    )
    assert cli("apply", "staging", "--yes").exit_code == 0
    result = cli("promote", "--confirm", "production")
    assert result.exit_code == 1
    assert "'staging' has no output 'no_such_output'" in result.stderr


def test_sensitive_source_output_is_refused(cli: Cli, basic_project: Path) -> None:
    path = basic_project / "environments" / "production" / "environment.hcl"
    path.write_text(
        path.read_text().replace(
            'frontend_release = "frontend_release"', 'frontend_release = "api_token"'
        )
    )
    assert cli("apply", "staging", "--yes").exit_code == 0
    result = cli("promote", "--confirm", "production")
    assert result.exit_code == 1
    assert "is sensitive" in result.stderr
    assert "canary-token-1f3c9a" not in result.output


def test_rollback_without_earlier_release(cli: Cli) -> None:
    none = cli("rollback", "staging", "--yes")
    assert none.exit_code == 1 and "no successful release" in none.stderr
    assert cli("apply", "staging", "--yes").exit_code == 0
    first = cli("rollback", "staging", "--yes")
    assert first.exit_code == 1 and "nothing to roll back to" in first.stderr


def test_concurrent_promotes_one_proceeds(cli: Cli, basic_project: Path) -> None:
    assert cli("apply", "staging", "--yes").exit_code == 0
    tfvars = basic_project / "environments" / "production" / "terraform.tfvars"
    tfvars.write_text(tfvars.read_text() + "apply_delay = 5\n")  # the winner holds the lock 5 s
    argv = [
        sys.executable,
        "-m",
        "envman",
        "--project",
        str(basic_project),
        "promote",
        "--confirm",
        "production",
    ]
    first = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [p.communicate(timeout=120) for p in (first, second)]
    codes = sorted([first.returncode, second.returncode])
    assert codes == [0, 1], results
    loser = results[[first.returncode, second.returncode].index(1)][1]
    assert "is locked by promote of tester" in loser
    assert len(history(cli, "production")) == 1
