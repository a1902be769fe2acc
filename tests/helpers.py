"""Helpers for the tests: the CLI through typer's runner, fixture projects, terraform."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"


def need_terraform() -> None:
    if shutil.which(os.environ.get("ENVMAN_TERRAFORM", "terraform")) is None:
        pytest.skip("terraform is not on PATH (CI fails instead of skipping)")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Cli:
    def __init__(self, project: Path) -> None:
        self.project = project

    def __call__(self, *args: str, input: str | None = None) -> Result:
        from envman.cli import app

        runner = CliRunner()
        result = runner.invoke(app, ["--project", str(self.project), *args], input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)


def copy_fixture(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(FIXTURES / name, target)
    return target


def shows_change(output: str, name: str, old: str, new: str) -> bool:
    """A promotion's or rollback's value table has the row `name | old | → | new`."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.replace("┃", "│").split("│")]
        if len(cells) >= 4 and cells[0] == name and cells[1] == old and cells[3].startswith(new):
            return True
    return False
