"""The getting-started guide (and the README's quickstart, its first part), run as written:
files from its heredocs, then its commands, in the folders its ``mkdir`` / ``cd`` lines make."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import Cli, Result, need_terraform
from tests.readme import GETTING_STARTED, README, Step, sh_blocks, steps

EMULATOR = "http://127.0.0.1:4566"  # the guide's endpoint; a test's moto server stands in


class Session:
    """A shell that knows a guide's steps: a current folder, files, envman runs."""

    def __init__(
        self, start: Path, endpoint: str | None = None, installed: Path | None = None
    ) -> None:
        """``installed``: an ``envman`` executable to run instead of this checkout's CLI."""
        start.mkdir(parents=True, exist_ok=True)
        self.cwd = start
        self.endpoint = endpoint
        self.installed = installed
        self.seen: dict[str, Result] = {}

    def envman(self, args: tuple[str, ...]) -> Result:
        if self.installed is None:
            return Cli(self.cwd)(*args)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVMAN_", "PYTHON"))}
        done = subprocess.run(
            [str(self.installed), *args],
            cwd=self.cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def run(self, step: Step) -> None:
        if step.kind == "mkdir":
            for name in step.args:
                (self.cwd / name).mkdir(parents=True, exist_ok=True)
        elif step.kind == "cd":
            self.cwd = (self.cwd / step.args[0]).resolve()
        elif step.kind == "write":
            body = step.body.replace(EMULATOR, self.endpoint) if self.endpoint else step.body
            (self.cwd / step.args[0]).write_text(body)
        elif step.args[0] == "emulator":
            assert self.endpoint, "the guide starts the emulator: run it with a moto server"
        else:
            result = self.envman(step.args)
            command = "envman " + " ".join(step.args)
            assert result.exit_code == 0, f"{command}\n{result.output}"
            self.seen[command] = result


GUIDE = sh_blocks(GETTING_STARTED.read_text())


def test_the_readme_quickstart_is_the_guide_s_first_part() -> None:
    readme = sh_blocks(README.read_text())
    assert readme, "README.md has no sh block (its quickstart)"
    assert readme[0] == GUIDE[0]
    assert len(GUIDE) == 3


def test_one_environment_then_a_promotion_with_local_state(tmp_path: Path) -> None:
    need_terraform()
    session = Session(tmp_path)
    for step in steps(GUIDE[0]) + steps(GUIDE[1]):
        session.run(step)
    seen = session.seen
    assert seen["envman outputs dev greeting --raw"].stdout == "hi\n"
    assert "in_sync" in seen["envman drift dev"].stdout
    assert seen["envman outputs prod greeting --raw"].stdout == "bonjour\n"
    assert "from dev#" in seen["envman history prod"].stdout


@pytest.mark.aws  # against a moto server
def test_two_environments_and_a_promotion_on_the_emulator(tmp_path: Path, moto: str) -> None:
    need_terraform()
    session = Session(tmp_path / "hello", endpoint=moto)
    for step in steps(GUIDE[2]):
        session.run(step)
    assert session.cwd == (tmp_path / "hello-s3").resolve()
    assert session.seen["envman outputs production image_tag --raw"].stdout == "v2\n"
    assert "promote" in session.seen["envman history production"].stdout
