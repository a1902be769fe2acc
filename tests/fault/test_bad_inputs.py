"""Bad inputs catalogue (issue #7): each is ONE line on stderr, "envman: error: ...", exit 1.

Progress lines (``[env] ...``) may precede the error line; they are not part of it.
Through the ``Cli`` class (typer's CliRunner), on a copy of the basic fixture that each case
first breaks in its own way. No traceback, no usage screen, no partial output on stderr.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import Cli

PROGRESS = re.compile(r"^(\d\d:\d\d:\d\dZ )?\[[a-z0-9_-]+\] ")
STAGING = Path("environments") / "staging"


def noop(project: Path) -> None:
    pass


def write(relative: Path | str, data: str | bytes) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = project / relative
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data)

    return apply


def append_staging(text: str) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = project / STAGING / "environment.hcl"
        path.write_text(path.read_text() + "\n" + text + "\n")

    return apply


def s3_backend(project: Path) -> None:
    (project / STAGING / "environment.hcl").write_text(
        'stack = "../../stack"\n'
        'backend "s3" {\n  bucket = "b"\n  key = "staging.tfstate"\n  region = "us-east-1"\n}\n'
    )


def missing_stack(project: Path) -> None:
    shutil.rmtree(project / "stack")


def tfvars_is_a_directory(project: Path) -> None:
    path = project / STAGING / "terraform.tfvars"
    path.unlink()
    path.mkdir()


def empty_environments(project: Path) -> None:
    shutil.rmtree(project / "environments")
    (project / "environments").mkdir()


FREEZE = """protection {{
  freeze "x" {{
    from = "{start}"
    to   = "2027-01-04"
  }}
}}"""

CASES: list[tuple[str, Callable[[Path], None], tuple[str, ...], str]] = [
    # (id, how to break the project, command, a word the error line must contain)
    ("unknown-env", noop, ("plan", "nosuch"), "nosuch"),
    ("unknown-env-history", noop, ("history", "nosuch"), "nosuch"),
    ("set-without-equals", noop, ("plan", "staging", "--set", "image_tag"), "--set item #1"),
    ("set-empty-name", noop, ("plan", "staging", "--set", "=v2"), "--set"),
    ("set-unknown-variable", noop, ("plan", "staging", "--set", "nosuchvar=1"), "nosuchvar"),
    ("set-bad-json-number", noop, ("plan", "staging", "--set", "replicas=three"), "replicas"),
    ("backend-type-mismatch", s3_backend, ("plan", "staging"), "backend"),
    ("missing-stack", missing_stack, ("plan", "staging"), "stack"),
    ("tfvars-is-directory", tfvars_is_a_directory, ("plan", "staging"), "terraform.tfvars"),
    (
        "tfvars-invalid-utf8",
        write(STAGING / "terraform.tfvars", b'image_tag = "\xff\xfe"\n'),
        ("plan", "staging"),
        "terraform.tfvars",
    ),
    (
        "tfvars-invalid-hcl",
        write(STAGING / "terraform.tfvars", "replicas = = 2\n"),
        ("plan", "staging"),
        "terraform.tfvars",
    ),
    (
        "environment-invalid-hcl",
        append_staging("protection {"),
        ("plan", "staging"),
        "environment.hcl",
    ),
    (
        "environment-unknown-key",
        append_staging('colour = "blue"'),
        ("plan", "staging"),
        "colour",
    ),
    (
        "envman-hcl-invalid",
        write("envman.hcl", "terraform {\n  binary = \n}\n"),
        ("plan", "staging"),
        "envman.hcl",
    ),
    ("bad-date", append_staging(FREEZE.format(start="2026-13-45")), ("plan", "staging"), "from"),
    (
        "bad-duration",
        append_staging('drift {\n  lock_timeout = "5 parsecs"\n}'),
        ("plan", "staging"),
        "lock_timeout",
    ),
    (
        "bad-verify-duration",
        append_staging(
            'verify {\n  http "x" {\n    url = "http://127.0.0.1:9/"\n    timeout = "-3s"\n  }\n}'
        ),
        ("plan", "staging"),
        "timeout",
    ),
    (
        "bad-ack-expiry",
        noop,
        ("drift", "ack", "staging", "abc", "--reason", "ok", "--expires", "yesterday"),
        "yesterday",
    ),
    ("empty-environments-plan", empty_environments, ("plan", "staging"), "staging"),
    ("empty-environments-validate", empty_environments, ("validate",), "environments"),
    # a scheduled `envman drift` that finds nothing to check must not report "clean" (exit 0)
    ("empty-environments-drift", empty_environments, ("drift",), "environments"),
    ("rollback-to-nonexistent", noop, ("rollback", "staging", "--to", "42", "--yes"), "42"),
]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan", "staging", "--frobnicate"), "No such option: --frobnicate"),
        (("drift", "staging", "--format", "yaml"), "'yaml' is not one of"),
        (("drift", "baseline", "staging", "--format", "junit"), "No such option: --format"),
        (("drift", "staging", "--reason", "x"), "No such option: --reason"),
        (("history",), "Missing argument 'ENVIRONMENT'"),
        (("emulator", "frobnicate"), "No such command 'frobnicate'"),
    ],
)
def test_a_usage_error_is_clicks_message_exit_1(
    cli: Cli, args: tuple[str, ...], message: str
) -> None:
    """Usage errors are rejected by click before envman runs: its message, exit 1 (never 2,
    which means "changes or drift found")."""
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("breaker", "args", "word"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_one_error_line_exit_1(
    basic_project: Path, breaker: Callable[[Path], None], args: tuple[str, ...], word: str
) -> None:
    breaker(basic_project)
    result = Cli(basic_project)(*args)
    # progress lines ("[staging] initialising terraform (init)") are not error output
    lines = [line for line in result.stderr.splitlines() if not PROGRESS.match(line)]
    assert result.exit_code == 1, f"exit {result.exit_code}\n{result.output}"
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("envman: error: "), result.stderr
    assert word in lines[0], result.stderr
    assert "Traceback" not in result.output
