"""What a new user meets: help, version, warnings, refusals, results, raw outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from envman.cli import app
from tests.helpers import Cli


def test_version(cli: Cli) -> None:
    from envman import __version__

    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"envman {__version__}"
    assert __version__ != "0.0.0+unknown"  # installed from git: the version of its tags


def test_no_command_is_a_usage_error_exit_1(cli: Cli) -> None:
    result = cli()
    assert result.exit_code == 1 and "Missing command" in result.stderr
    bare = CliRunner().invoke(app, [])
    assert bare.exit_code == 1 and "Usage: envman" in bare.output


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("envman dr", {"drift"}),
        ("envman drift ", {"check", "ack", "baseline"}),
        ("envman drift dev --format ", {"text", "json", "markdown", "junit"}),
    ],
)
def test_shell_completion(words: str, expected: set[str]) -> None:
    env = {
        "_ENVMAN_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    result = CliRunner().invoke(app, [], env=env, prog_name="envman")
    assert set(result.stdout.split()) == expected, result.output


def _command_paths() -> list[tuple[str, ...]]:
    root = get_command(app)
    paths: list[tuple[str, ...]] = [()]
    for name, command in getattr(root, "commands", {}).items():
        paths.append((name,))
        paths.extend((name, sub) for sub in getattr(command, "commands", {}))
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "envman")
def test_help_is_clean(cli: Cli, path: tuple[str, ...]) -> None:
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.output
    text = result.stdout
    for clutter in ("{", "<list[", "<str>", "<int>", "[[", "]...]..."):
        assert clutter not in text, f"{clutter!r} in help of {path}:\n{text}"
    if "Commands:" in text:
        listed = text.split("Commands:")[1]
        assert not any(line.rstrip().endswith("...") for line in listed.splitlines()), text
    if not path:
        assert "--install-completion" in text and "--version" in text


def test_terraform_warnings_are_shown(cli: Cli, basic_project: Path) -> None:
    tfvars = basic_project / "environments" / "dev" / "terraform.tfvars"
    tfvars.write_text('image_tag = "v2"\nimage_tga = "typo"\n')
    result = cli("plan", "dev")
    assert result.exit_code == 0, result.output
    assert "warning: Value for undeclared variable" in result.stderr
    assert "image_tga" in result.stderr
    as_json = cli("plan", "dev", "--json")  # the warning still shows, on stderr
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["environment"] == "dev"
    assert "warning: Value for undeclared variable" in as_json.stderr


def test_answering_no_is_a_refusal_not_an_error(
    cli: Cli, basic_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("envman.protect.confirm.stdin_is_terminal", lambda: True)
    result = cli("apply", "dev", input="n\n")
    assert result.exit_code == 3, result.output
    assert "envman: apply of 'dev' declined; nothing changed" in result.stderr
    assert "error" not in result.stderr.lower()
    assert not (basic_project / ".envman" / "envman.log").exists()
    assert cli("history", "dev").stdout.strip() == "'dev' has no releases yet."


def test_a_misspelt_environment_gets_a_suggestion(cli: Cli) -> None:
    result = cli("plan", "stagng")
    assert result.exit_code == 1
    assert "unknown environment 'stagng'" in result.stderr
    assert "did you mean 'staging'?" in result.stderr
    drift = cli("drift", "prodution")
    assert drift.exit_code == 1 and "did you mean 'production'?" in drift.stderr


def test_list_shows_a_broken_environment_and_the_others(cli: Cli, basic_project: Path) -> None:
    (basic_project / "environments" / "dev" / "environment.hcl").write_text(
        'description = "x"\nbackend "local" {\n  path = "a"\n'
    )
    result = cli("list")
    assert result.exit_code == 1
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "BROKEN" in rows["dev"] and "environment.hcl:2" in rows["dev"]
    assert "unclosed block opened at line 2" in rows["dev"]
    assert "local" in rows["staging"] and "BROKEN" not in rows["staging"]
    listed = json.loads(cli("list", "--json").stdout)
    assert [r["name"] for r in listed if r["error"]] == ["dev"]


def test_apply_json_result_and_raw_outputs(cli: Cli) -> None:
    long_tag = "release-" + "x" * 120
    result = cli("apply", "dev", "--yes", "--json", "--set", f"image_tag={long_tag}")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["environment"] == "dev" and document["kind"] == "apply"
    assert document["changed"] is True and document["release"]["seq"] == 1
    assert document["release"]["outputs"]["api_token"] == {"sensitive": True}
    raw = cli("outputs", "dev", "image_tag", "--raw")
    assert raw.exit_code == 0 and raw.stdout == long_tag + "\n"
    secret = cli("outputs", "dev", "api_token", "--raw")
    assert secret.exit_code == 1 and "canary-token" not in secret.output
    assert "sensitive" in secret.stderr
    typo = cli("outputs", "dev", "image_tg")
    assert typo.exit_code == 1 and "did you mean 'image_tag'?" in typo.stderr
    # without a terminal, tables are never cut: the whole value is in the history
    history = cli("history", "dev")
    assert long_tag in history.stdout and "…" not in history.stdout
