"""--help and completion: defaults printed once, -c says what it does per command, unlock's
summary matches its option, <TAB> offers environments, components and format choices."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from envman.cli import app
from tests.helpers import FIXTURES

COMMANDS = [
    ("list",), ("graph",), ("validate",), ("plan",), ("apply",), ("promote",), ("rollback",),
    ("destroy",), ("tf",), ("history",), ("status",), ("outputs",), ("verify",),
    ("bootstrap",), ("unlock",), ("init",), ("drift", "check"), ("drift", "ack"),
    ("drift", "baseline"), ("emulator", "start"), ("emulator", "stop"), ("emulator", "status"),
]  # fmt: skip


def help_of(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_defaults_are_printed_once(command: tuple[str, ...]) -> None:
    for line in help_of(*command).splitlines():
        assert not ("(default" in line and "[default:" in line), line


def test_component_options_say_what_they_do_per_command() -> None:
    texts = {}
    for command in ("plan", "apply", "destroy", "tf", "outputs"):
        found = re.search(r"-c, --component COMPONENT\s+(.+)", help_of(command))
        assert found is not None, command
        texts[command] = found.group(1)
        assert "not configured yet" not in texts[command]
    assert len(set(texts.values())) == len(texts)  # each its own text
    assert texts["outputs"].startswith("Only this component's outputs")


def test_unlock_summary_matches_its_option() -> None:
    text = help_of("unlock")
    assert "always needs --confirm ENV" in text
    assert "The environment's name: always needed to unlock." in text
    assert "protected environments" not in text


def test_history_summary_names_the_audit_entries_it_lists() -> None:
    assert "`envman tf` audit entries" in help_of("history")


def complete(words: str, project: Path) -> list[str]:
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    env = {
        "_ENVMAN_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
        "ENVMAN_PROJECT": str(project),
    }
    result = CliRunner().invoke(app, [], prog_name="envman", env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def test_completion_offers_environments_components_and_choices() -> None:
    basic, components = FIXTURES / "basic", FIXTURES / "components"
    assert complete("envman plan ", basic) == ["dev", "production", "staging"]
    assert complete("envman apply st", basic) == ["staging"]
    assert complete("envman promote --from ", basic) == ["dev", "production", "staging"]
    assert complete("envman drift check ", basic) == ["dev", "production", "staging"]
    assert complete("envman graph --format ", basic) == ["text", "mermaid", "dot", "json"]
    assert complete("envman plan dev --format m", basic) == ["markdown"]
    assert complete("envman drift --format j", basic) == ["json", "junit"]
    assert complete("envman plan dev -c ", components) == ["app", "data", "edge", "network"]
    assert complete("envman outputs dev --component a", components) == ["app"]
