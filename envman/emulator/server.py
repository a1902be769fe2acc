"""Start, stop and inspect a background moto server; its pid file lives under .envman/."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from envman.errors import EnvmanError

DEFAULT_PORT = 4566
PID_FILE = "emulator.json"


@dataclass(frozen=True)
class EmulatorState:
    pid: int
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def is_answering(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=timeout) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def pid_alive(pid: int) -> bool:
    from envman.lease import process_alive

    return process_alive(pid, "")


def read_state(state_root: Path) -> EmulatorState | None:
    path = state_root / PID_FILE
    try:
        data = json.loads(path.read_text())
        return EmulatorState(pid=int(data["pid"]), port=int(data["port"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


INSTALL_HINT = "install the emulator extra: pip install 'envman[emulator]' (pipx: pipx inject envman 'moto[server]')"


def require_moto() -> None:
    """The emulator is moto's server: say how to get it when it is not installed."""
    import importlib.util

    for module in ("moto", "flask"):  # moto[server] brings flask
        try:
            found = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            found = None
        if found is None:
            raise EnvmanError(
                f"the AWS emulator needs moto's server ({module} is not installed)",
                hint=INSTALL_HINT,
            )


def start(state_root: Path, port: int = DEFAULT_PORT, wait: float = 60.0) -> EmulatorState:
    require_moto()
    existing = read_state(state_root)
    if existing is not None and pid_alive(existing.pid) and is_answering(existing.url):
        return existing
    url = f"http://127.0.0.1:{port}"
    if is_answering(url):
        raise EnvmanError(
            f"something already answers on {url} that envman did not start",
            hint="stop it, or use --port with a free port",
        )
    state_root.mkdir(parents=True, exist_ok=True)
    log = (state_root / "emulator.log").open("ab")
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        raise EnvmanError(f"cannot start the emulator: {exc}", hint=INSTALL_HINT) from None
    state = EmulatorState(pid=child.pid, port=port)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise EnvmanError(
                f"the emulator exited at start (code {child.returncode})",
                hint=f"see {state_root / 'emulator.log'}",
            )
        if is_answering(url):
            (state_root / PID_FILE).write_text(json.dumps({"pid": child.pid, "port": port}))
            return state
        time.sleep(0.2)
    child.terminate()
    raise EnvmanError(
        f"the emulator did not answer on {url} within {wait:.0f}s",
        hint=f"see {state_root / 'emulator.log'}",
    )


def stop(state_root: Path) -> EmulatorState | None:
    state = read_state(state_root)
    if state is None:
        return None
    if pid_alive(state.pid):
        os.kill(state.pid, signal.SIGTERM)
        for _ in range(50):
            _reap(state.pid)
            if not pid_alive(state.pid):
                break
            time.sleep(0.1)
        else:
            os.kill(state.pid, signal.SIGKILL)
    (state_root / PID_FILE).unlink(missing_ok=True)
    return state


def _reap(pid: int) -> None:
    """Collect the exit status when the emulator is our own child (tests run in-process)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
