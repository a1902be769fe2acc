"""Ctrl-C / SIGTERM during a slow apply: exit 130, state consistent, lock released."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.helpers import Cli


def start_envman(project: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "envman", "--project", str(project), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )


def wait_for_line(stream: object, needle: str, seen: list[str], timeout: float = 60) -> bool:
    done = threading.Event()

    def read() -> None:
        for line in stream:  # type: ignore[attr-defined]
            seen.append(line)
            if needle in line:
                done.set()
        done.set()

    threading.Thread(target=read, daemon=True).start()
    return done.wait(timeout) and any(needle in line for line in seen)


def test_sigterm_during_apply_exits_130_and_next_apply_works(cli: Cli, basic_project: Path) -> None:
    child = start_envman(basic_project, "apply", "staging", "--yes", "--set", "apply_delay=60")
    seen: list[str] = []
    assert wait_for_line(child.stderr, "terraform_data.slow: create started", seen), seen
    child.send_signal(signal.SIGTERM)
    code = child.wait(timeout=90)
    assert code == 130, "".join(seen)
    assert any("interrupted" in line for line in seen)

    state = json.loads((basic_project / "state" / "staging.tfstate").read_text())
    assert state["version"] == 4 and state["lineage"]
    history = json.loads(cli("history", "staging", "--json").stdout)
    assert history[0]["status"] == "interrupted"

    again = cli("apply", "staging", "--yes")  # no force-unlock needed
    assert again.exit_code == 0, again.output
    history = json.loads(cli("history", "staging", "--json").stdout)
    assert [h["status"] for h in history] == ["applied", "interrupted"]
