"""The AWS emulator dies mid-apply and mid-plan (issue #7): one clear error line, exit 1.

Our own moto server subprocess (not the session one), the aws_basic fixture (AWS provider
from the mirror, S3 backend with use_lockfile). The server is stopped while terraform works:
during an apply right after "create started", and during a plan while the provider refreshes.
envman must exit 1 with one ``envman: error:`` line naming the endpoint or the connection
failure, no traceback. A fresh server (new port, empty) then works again. Once the server is
dead its releases cannot be read, and the new server is empty, so no ledger assertion is made
across the crash: the CLI's output is what is checked.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest

from tests.helpers import Cli, copy_fixture, need_terraform
from tests.moto_server import start_moto_server

pytestmark = pytest.mark.aws
STATE_BUCKET = "envman-test-tfstate"
PROGRESS = re.compile(r"^(\d\d:\d\d:\d\dZ )?\[[a-z0-9_-]+\] ")


class Server:
    def __init__(self) -> None:
        self.url, self._stop = start_moto_server()
        boto3.client("s3", endpoint_url=self.url, region_name="us-east-1").create_bucket(
            Bucket=STATE_BUCKET
        )

    def stop(self) -> None:
        self._stop()


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch, provider_mirror: Path) -> Iterator[list[Server]]:
    need_terraform()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("ENVMAN_PROVIDER_MIRROR", str(provider_mirror))
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def point_at(project: Path, url: str) -> None:
    for hcl in project.glob("environments/*/environment.hcl"):
        text = re.sub(r'endpoint_url = "[^"]*"', f'endpoint_url = "{url}"', hcl.read_text())
        hcl.write_text(text.replace("@ENDPOINT@", url))


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, cmdline) of every process below ``pid``, from /proc."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        commands[int(entry.name)] = cmd
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        for child, parent in parents.items():
            if parent == current:
                found.append((child, commands[child]))
                frontier.append(child)
    return found


class Run:
    def __init__(self, project: Path, *args: str) -> None:
        self.lines: list[str] = []
        self.child = subprocess.Popen(
            [sys.executable, "-m", "envman", "--project", str(project), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ},
        )
        self.out: list[str] = []
        self.readers = [
            threading.Thread(target=self._read, args=(self.child.stderr, self.lines), daemon=True),
            threading.Thread(target=self._read, args=(self.child.stdout, self.out), daemon=True),
        ]
        for reader in self.readers:
            reader.start()

    @staticmethod
    def _read(stream: object, into: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 90) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.child.poll() is None:
            if condition():
                return True
            time.sleep(0.05)
        return condition()

    def finish(self, timeout: float = 150) -> int:
        try:
            code = self.child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
            raise
        for reader in self.readers:
            reader.join(timeout=5)
        return code

    def stderr(self) -> str:
        return "".join(self.lines)


def clear_error_problems(run: Run, code: int, url: str, what: str) -> list[str]:
    """Why the run's ending is not "exit 1 and one clear error line" (empty when it is).

    Progress lines (``[env] ...``) and ``warning:`` lines may come before the error; the one
    ``envman: error:`` line must be about the failure itself (the endpoint / connection), not
    a secondary failure of envman's own clean-up such as releasing its operation lock.
    """
    stderr = run.stderr()
    problems = []
    if code != 1:
        problems.append(f"{what}: exit {code}")
    if "Traceback" in stderr + "".join(run.out):
        problems.append(f"{what}: a traceback")
    rest = [
        line
        for line in stderr.splitlines()
        if line.strip() and not PROGRESS.match(line) and not line.startswith("warning: ")
    ]
    if len(rest) != 1 or not rest[0].startswith("envman: error: "):
        problems.append(f"{what}: not one error line: {rest}")
    else:
        port = url.rsplit(":", 1)[1]
        if not re.search(rf"{port}|connect|connection refused", rest[0], re.I):
            problems.append(f"{what}: the error names neither endpoint nor connection: {rest[0]}")
        if "lock.json" in rest[0]:
            problems.append(f"{what}: the lock release error hides the real failure: {rest[0]}")
    return problems


def test_emulator_dies_mid_apply_and_mid_plan(servers: list[Server], tmp_path: Path) -> None:
    project = copy_fixture("aws_basic", tmp_path)
    cli = Cli(project)
    first = Server()
    servers.append(first)
    point_at(project, first.url)

    apply = Run(project, "apply", "staging", "--yes", "--set", "image_tag=v2")
    assert apply.wait_until(lambda: any("create started" in line for line in apply.lines)), (
        apply.stderr() + "".join(apply.out)
    )
    first.stop()
    problems = clear_error_problems(apply, apply.finish(), first.url, "apply")
    assert not any("Applied release" in line for line in apply.out), apply.out

    # a fresh (empty) server: the next run works, without any unlock
    second = Server()
    servers.append(second)
    point_at(project, second.url)
    again = cli("apply", "staging", "--yes", "--set", "image_tag=v2")
    assert again.exit_code == 0, again.output
    assert "Applied release #1" in again.stdout

    # the server dies while the provider refreshes during a plan
    plan = Run(project, "plan", "staging", "--set", "image_tag=v3")
    assert plan.wait_until(
        lambda: any("terraform-provider-aws" in cmd for _, cmd in descendants(plan.child.pid))
    ), plan.stderr()
    time.sleep(0.5)
    second.stop()
    problems += clear_error_problems(plan, plan.finish(), second.url, "plan")

    third = Server()
    servers.append(third)
    point_at(project, third.url)
    planned = cli("plan", "staging", "--json")
    assert planned.exit_code == 0, planned.output
    assert problems == [], "\n".join(problems) + "\n--- apply stderr:\n" + apply.stderr()
