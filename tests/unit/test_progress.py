"""Progress without a terminal: time-stamped lines, a heartbeat, terraform's warnings."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from envman.terraform.progress import Progress


def quiet_console() -> Console:
    return Console(file=io.StringIO(), force_terminal=False)


def progress_event(elapsed: int) -> dict[str, object]:
    return {
        "type": "apply_progress",
        "hook": {
            "resource": {"addr": "aws_db_instance.main"},
            "action": "create",
            "elapsed_seconds": elapsed,
        },
    }


def test_a_long_create_has_a_heartbeat_about_every_30_seconds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    progress = Progress("prod", "Applying", console=quiet_console())
    with progress:
        for elapsed in range(10, 100, 10):  # terraform reports every 10 s
            progress(progress_event(elapsed))
    lines = capsys.readouterr().err.splitlines()
    beats = [line for line in lines if "still creating" in line]
    assert [b.split("still creating... ")[1] for b in beats] == [
        "30s elapsed",
        "1m00s elapsed",
        "1m30s elapsed",
    ]
    assert all(re.match(r"^\d\d:\d\d:\d\dZ \[prod\] aws_db_instance.main: ", b) for b in beats)


@pytest.mark.parametrize("level", ["warn", "warning"])
def test_terraform_warnings_are_shown(capsys: pytest.CaptureFixture[str], level: str) -> None:
    progress = Progress("dev", "Planning", console=quiet_console())
    progress(
        {
            "type": "diagnostic",
            "@level": level,
            "diagnostic": {
                "severity": "warning",
                "summary": "Value for undeclared variable",
                "detail": 'The root module does not declare a variable named "imgae_tag".',
            },
        }
    )
    err = capsys.readouterr().err
    assert "warning: Value for undeclared variable" in err and "imgae_tag" in err


def test_errors_are_not_shown_as_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress("dev", "Planning", console=quiet_console())
    progress({"type": "diagnostic", "@level": "error", "diagnostic": {"summary": "boom"}})
    assert "warning" not in capsys.readouterr().err
