"""End to end with the real terraform binary on a tiny terraform_data stack (local backend)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import Cli


def test_plan_counts_and_detailed_exitcode(cli: Cli) -> None:
    result = cli("plan", "staging", "--json", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    document = json.loads(result.stdout)
    assert document["summary"] == {"add": 3, "change": 0, "destroy": 0, "replace": 0}
    assert sorted(c["address"] for c in document["resource_changes"]) == [
        "terraform_data.app",
        "terraform_data.frontend",
        "terraform_data.slow",
    ]


def test_apply_then_second_plan_has_no_changes(cli: Cli, basic_project: Path) -> None:
    applied = cli("apply", "staging", "--yes")
    assert applied.exit_code == 0, applied.output
    assert (basic_project / "state" / "staging.tfstate").is_file()
    again = cli("plan", "staging", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "no changes" in again.stdout


def test_apply_saved_plan_applies_exactly_it(cli: Cli, basic_project: Path) -> None:
    planned = cli("plan", "staging", "--set", "image_tag=v7")
    assert planned.exit_code == 0, planned.output
    applied = cli("apply", "staging", "--plan", "--yes")
    assert applied.exit_code == 0, applied.output
    outputs = json.loads(cli("outputs", "staging", "--json").stdout)
    assert outputs["image_tag"]["value"] == "v7"
    # the saved plan is consumed: applying it twice is refused
    again = cli("apply", "staging", "--plan", "--yes")
    assert again.exit_code == 1
    assert "no saved plan" in again.stderr


def test_stale_saved_plan_is_refused(cli: Cli, basic_project: Path) -> None:
    assert cli("plan", "staging").exit_code == 0
    tfvars = basic_project / "environments" / "staging" / "terraform.tfvars"
    tfvars.write_text("replicas = 5\n")
    result = cli("apply", "staging", "--plan", "--yes")
    assert result.exit_code == 1
    assert "stale" in result.stderr and "inputs changed" in result.stderr


def test_outputs_hide_sensitive_values(cli: Cli) -> None:
    assert cli("apply", "staging", "--yes").exit_code == 0
    text = cli("outputs", "staging")
    as_json = cli("outputs", "staging", "--json")
    for result in (text, as_json):
        assert "canary-token-1f3c9a" not in result.output
        assert "<sensitive>" in result.stdout
    assert json.loads(as_json.stdout)["replicas"]["value"] == 2


def test_unprotected_without_terminal_needs_yes(cli: Cli, basic_project: Path) -> None:
    result = cli("apply", "dev")
    assert result.exit_code == 3, result.output
    assert "--yes" in result.stderr
    assert not (basic_project / "state" / "dev.tfstate").exists()


def test_protected_environment_needs_confirm(cli: Cli, basic_project: Path) -> None:
    refused = cli("apply", "production", "--yes")
    assert refused.exit_code == 3
    assert "--confirm production" in refused.stderr
    wrong = cli("apply", "production", "--confirm", "staging")
    assert wrong.exit_code == 3
    assert not (basic_project / "state" / "production.tfstate").exists()
    ok = cli("apply", "production", "--confirm", "production")
    assert ok.exit_code == 0, ok.output


def test_unknown_set_variable_refused_before_terraform(cli: Cli, basic_project: Path) -> None:
    result = cli("plan", "staging", "--set", "nope=1")
    assert result.exit_code == 1
    assert "unknown variable nope" in result.stderr
    assert not (basic_project / ".envman" / "staging" / "terraform").exists()


def test_bad_set_syntax(cli: Cli) -> None:
    result = cli("plan", "staging", "--set", "image_tag")
    assert result.exit_code == 1
    assert "--set NAME=VALUE" in result.stderr


def test_malformed_environment_hcl_names_file_and_line(cli: Cli, basic_project: Path) -> None:
    path = basic_project / "environments" / "staging" / "environment.hcl"
    path.write_text('description = "x"\nstack = "../../stack"\nbackend "local" {\n  path = \n}\n')
    result = cli("plan", "staging")
    assert result.exit_code == 1
    assert f"{path}:" in result.stderr
    assert "invalid HCL" in result.stderr


def test_unknown_key_names_line_and_key(cli: Cli, basic_project: Path) -> None:
    path = basic_project / "environments" / "staging" / "environment.hcl"
    path.write_text(path.read_text() + '\nprotection {\n  confirm = true\n  colour = "red"\n}\n')
    result = cli("validate", "staging")
    assert result.exit_code == 1
    line = path.read_text().splitlines().index('  colour = "red"') + 1
    assert f"{path}:{line}: unknown key 'colour'" in result.stdout


def test_missing_terraform_binary(cli: Cli, monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("ENVMAN_TERRAFORM", "/nonexistent/terraform")
    from envman.terraform import binary

    binary._find.cache_clear()
    result = cli("plan", "staging")
    assert result.exit_code == 1
    assert "terraform binary '/nonexistent/terraform' not found" in result.stderr
    assert "Traceback" not in result.output


def test_list_json(cli: Cli) -> None:
    result = cli("list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows] == ["dev", "production", "staging"]
    assert rows[1]["promotion_from"] == "staging" and rows[1]["protected"] is True


def test_validate_all(cli: Cli) -> None:
    result = cli("validate")
    assert result.exit_code == 0, result.output
