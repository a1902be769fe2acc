"""`envman drift` through the CLI on the fast terraform_data fixture (local backend)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import Cli


def test_usage_errors(cli: Cli) -> None:
    assert cli("drift", "--format", "yaml").exit_code == 1
    unknown = cli("drift", "nope")
    assert unknown.exit_code == 1 and "unknown environment 'nope'" in unknown.stderr
    stray = cli("drift", "staging", "--reason", "x")  # --reason is only ack's
    assert stray.exit_code == 1 and "No such option: --reason" in stray.stderr
    no_finding = cli(
        "drift", "ack", "staging", "0123456789abcdef", "--reason", "x", "--expires", "2099-01-01"
    )
    assert no_finding.exit_code == 1 and "no finding with fingerprint" in no_finding.stderr


def test_all_environments_in_sync_and_pending(cli: Cli, basic_project: Path) -> None:
    assert cli("apply", "staging", "--yes").exit_code == 0
    result = cli("drift", "--parallel", "2", "--report", str(basic_project / "drift.txt"))
    assert result.exit_code == 0, result.output
    assert (basic_project / "drift.txt").read_text() == result.stdout
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["staging", "in_sync"] for line in lines)
    assert any(line.split()[:2] == ["dev", "pending"] for line in lines)  # never applied
    status = json.loads(cli("status", "staging", "--json").stdout)
    drift = status["environments"][0]["drift"]
    assert drift["status"] == "in_sync" and drift["counts"]["findings"] == 0
    # --report takes its format from the extension: Markdown on stdout, JSON in the file
    both = cli(
        "drift", "staging", "--format", "markdown", "--report", str(basic_project / "drift.json")
    )
    assert both.exit_code == 0 and not both.stdout.lstrip().startswith("{")
    document = json.loads((basic_project / "drift.json").read_text())
    assert document["schema"] == 1 and document["environments"][0]["status"] == "in_sync"
    baseline = cli("drift", "baseline", "staging", "--json")
    assert json.loads(baseline.stdout) == {"environment": "staging", "entries": []}
