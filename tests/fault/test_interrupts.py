"""SIGTERM at several points of an apply (issue #7): exit 130, consistent state, no lock left.

Ten bounded runs of ``python -m envman apply staging --yes`` on the basic fixture (local
backend, terraform_data), each in its own copy of the project. The signal is sent after a
marker line (stdout or stderr) plus a small extra delay, so the moments spread over: start-up
(before terraform), init, plan, right after "create started", the provisioner's sleep and the
recording of the release. After each run: exit 130 (or 0 when the run had already finished,
then the newest release is applied), the state file is valid JSON or absent, no
``.terraform.tfstate.lock.info`` is left anywhere, the newest release is never ``applying``,
and a following ``apply staging --yes`` succeeds without force-unlock.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform

SLOW = "terraform_data.slow: create started"

# (marker on stdout or stderr, extra seconds after it, apply_delay)
MOMENTS = [
    ("Set on the command line", 0.0, 5),  # start-up: before terraform runs
    ("initialising terraform", 0.0, 5),  # init
    ("initialising terraform", 0.25, 5),  # init or plan
    ("terraform_data.slow (create)", 0.0, 5),  # plan printed, before the apply starts
    ("Recording release", 0.0, 5),  # while the release record is written
    (SLOW, 0.0, 5),  # right after "create started"
    (SLOW, 0.5, 5),  # during the sleep
    (SLOW, 2.0, 5),  # during the sleep, later
    ("terraform_data.app: create complete", 0.0, 3),  # around the sleep's start
    (SLOW, 1.3, 1),  # the sleep ends about now: may already have finished
]
# Every moment but the last is well before the apply can finish: the run must have been
# interrupted there (a test that passes when nothing was interrupted proves nothing).
MAY_FINISH = {MOMENTS[-1]}


class Run:
    def __init__(self, project: Path, *args: str) -> None:
        self.lines: list[str] = []
        self.cond = threading.Condition()
        self.child = subprocess.Popen(
            [sys.executable, "-m", "envman", "--project", str(project), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ},
        )
        self.readers = [
            threading.Thread(target=self._read, args=(stream, tag), daemon=True)
            for stream, tag in ((self.child.stdout, "out"), (self.child.stderr, "err"))
        ]
        for reader in self.readers:
            reader.start()

    def _read(self, stream: object, tag: str) -> None:
        for line in stream:  # type: ignore[attr-defined]
            with self.cond:
                self.lines.append(f"{tag}: {line}")
                self.cond.notify_all()

    def wait_for(self, needle: str, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not any(needle in line for line in self.lines):
                left = deadline - time.monotonic()
                if left <= 0 or (self.child.poll() is not None and not self._alive()):
                    return any(needle in line for line in self.lines)
                self.cond.wait(min(left, 0.05))
        return True

    def _alive(self) -> bool:
        return any(reader.is_alive() for reader in self.readers)

    def finish(self, timeout: float = 60) -> int:
        code = self.child.wait(timeout=timeout)
        for reader in self.readers:
            reader.join(timeout=5)
        return code

    def text(self) -> str:
        return "".join(self.lines)


def lock_files(project: Path) -> list[Path]:
    return [p for p in project.rglob("*") if p.name.endswith(".tfstate.lock.info")]


@pytest.mark.parametrize(("marker", "extra", "delay"), MOMENTS)
def test_sigterm_at_moment_leaves_consistent_state(
    tmp_path: Path, marker: str, extra: float, delay: int
) -> None:
    need_terraform()
    project = copy_fixture("basic", tmp_path)
    cli = Cli(project)
    run = Run(project, "apply", "staging", "--yes", "--set", f"apply_delay={delay}")
    try:
        assert run.wait_for(marker), run.text()
        if extra:
            time.sleep(extra)
        if run.child.poll() is None:
            run.child.send_signal(signal.SIGTERM)
        code = run.finish()
    finally:
        if run.child.poll() is None:
            run.child.kill()
            run.child.wait()
    output = run.text()
    assert code in (0, 130), f"exit {code}\n{output}"
    if (marker, extra, delay) not in MAY_FINISH:
        assert code == 130, f"the run was not interrupted\n{output}"
    assert "Traceback" not in output, output
    if code == 130:
        assert "interrupted" in output, output

    state_file = project / "state" / "staging.tfstate"
    if state_file.exists():  # absent when terraform never got to write it
        state = json.loads(state_file.read_text())
        assert state["version"] == 4 and state["lineage"]
    assert lock_files(project) == [], output

    history = cli("history", "staging", "--json")
    assert history.exit_code == 0, history.output
    releases = json.loads(history.stdout)
    if releases:
        newest = releases[0]["status"]
        assert newest != "applying", output
        assert newest in (("applied", "verified") if code == 0 else ("interrupted",)), output
    else:
        assert code == 130, output  # only an interrupted run may leave no record

    again = cli("apply", "staging", "--yes")  # no force-unlock needed
    assert again.exit_code == 0, again.output
    releases = json.loads(cli("history", "staging", "--json").stdout)
    assert releases[0]["status"] == "applied"
    assert json.loads(state_file.read_text())["version"] == 4
    assert lock_files(project) == []
