"""Every `envman ...` example in the README is a command line envman accepts."""

from __future__ import annotations

import pytest
from typer._click.exceptions import UsageError

from tests.readme import README, Example, check, examples

EXAMPLES = examples(README.read_text())


def test_the_readme_has_examples() -> None:
    commands = {e.command.split()[1] for e in EXAMPLES if e.complete and len(e.command.split()) > 1}
    assert {"plan", "apply", "promote", "rollback", "drift", "history", "outputs"} <= commands


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"L{e.line}" for e in EXAMPLES])
def test_readme_example_parses(example: Example) -> None:
    try:
        check(example.command, complete=example.complete)
    except UsageError as exc:
        pytest.fail(f"README.md:{example.line}: `{example.command}`: {exc.format_message()}")


@pytest.mark.parametrize(
    "command",
    [
        "envman drift --all",
        "envman plan",
        "envman drift baseline dev --format junit",
        "envman frobnicate",
        "envman history dev --limit many",
    ],
)
def test_the_check_catches_wrong_examples(command: str) -> None:
    with pytest.raises(UsageError):
        check(command)


def test_examples_are_found_in_code_blocks_and_prose() -> None:
    text = (
        "Run `envman plan dev` first.\n\n```\n$ envman apply dev --yes   # go\n"
        "envman [--project DIR] COMMAND\n```\n\n```hcl\nenvman = 1\n```\n"
    )
    assert examples(text) == [
        Example(1, "envman plan dev", complete=False),
        Example(4, "envman apply dev --yes", complete=True),
    ]


def test_a_command_named_in_prose_may_leave_out_its_arguments() -> None:
    check("envman plan", complete=False)
    with pytest.raises(UsageError):
        check("envman plna", complete=False)
