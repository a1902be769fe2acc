"""Start, stop and inspect a background moto server; its pid file lives under .envman/."""

from __future__ import annotations

import contextlib
import itertools
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

from envman.emulator.ports import is_local_endpoint as is_local_endpoint
from envman.emulator.ports import port_holder, process_command
from envman.errors import EnvmanError
from envman.secrets.files import own_folder, write_private

DEFAULT_PORT = 4566
PID_FILE = "emulator.json"


@dataclass(frozen=True)
class EmulatorState:
    pid: int
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# a cheap page of moto's (a few KB, static): never /moto-api/data.json, which holds every
# resource (megabytes, seconds to answer under load)
HEALTH_PATH = "/moto-api/"
HEALTH_TIMEOUT = 5.0


def is_answering(url: str, timeout: float = HEALTH_TIMEOUT) -> bool:
    try:
        with urllib.request.urlopen(f"{url}{HEALTH_PATH}", timeout=timeout) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass(frozen=True)
class Started:
    state: EmulatorState
    already_running: bool  # a second `start`: the running one is kept


def running(state_root: Path) -> EmulatorState | None:
    """The emulator envman started here, when its process is alive (answering or not) and is
    still moto's server (a pid file that outlived a reboot may name someone else's process)."""
    found = read_state(state_root)
    if found is None or not pid_alive(found.pid):
        return None
    command = process_command(found.pid, width=None)
    if command is None:  # no /proc (another OS): the pid file is all there is to go by
        return None if Path("/proc/self").is_dir() else found
    return found if is_emulator_command(command, found.port) else None


def is_emulator_command(command: str, port: int) -> bool:
    """Whether a command line is the server `start` spawns on ``port`` (`python -m
    moto.server -H 127.0.0.1 -p PORT`): a word "moto" elsewhere is someone else's process."""
    words = command.split()
    ports = [b for a, b in itertools.pairwise(words) if a == "-p"]
    return "moto.server" in words and ports == [str(port)]


def pid_alive(pid: int) -> bool:
    from envman.lease import process_alive

    return process_alive(pid, "")


def read_state(state_root: Path) -> EmulatorState | None:
    path = state_root / PID_FILE
    try:
        data = json.loads(path.read_text())
        state = EmulatorState(pid=int(data["pid"]), port=int(data["port"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state if 0 < state.port < 65536 else None  # a pid is checked when it is used


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


def start(state_root: Path, port: int = DEFAULT_PORT, wait: float = 60.0) -> Started:
    require_moto()
    existing = running(state_root)
    if existing is not None:
        return Started(existing, already_running=True)
    holder = port_holder(port)
    if holder is not None:
        raise EnvmanError(
            f"port {port} on 127.0.0.1 is in use by {holder.describe()}, not by an emulator "
            "envman started here",
            hint=f"stop that process, or use another port: envman emulator start --port {port + 1}",
        )
    own_folder(state_root, state_root)  # never through a symlink
    child = _spawn(state_root, port)
    state = EmulatorState(pid=child.pid, port=port)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise EnvmanError(
                f"the emulator exited at start (code {child.returncode})",
                hint=f"see {state_root / 'emulator.log'}",
            )
        if is_answering(state.url):
            state_text = json.dumps({"pid": child.pid, "port": port})
            write_private(state_root / PID_FILE, state_text, redacted=False)
            return Started(state, already_running=False)
        time.sleep(0.2)
    child.terminate()
    raise EnvmanError(
        f"the emulator did not answer on {state.url} within {wait:.0f}s",
        hint=f"see {state_root / 'emulator.log'}",
    )


def _spawn(state_root: Path, port: int) -> subprocess.Popen[bytes]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW
    try:
        log = os.fdopen(os.open(state_root / "emulator.log", flags, 0o600), "ab")
    except OSError as exc:
        raise EnvmanError(
            f"cannot write {state_root / 'emulator.log'}: {exc.strerror or exc}",
            hint="remove it if it is a symlink; envman creates it itself",
        ) from None
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        raise EnvmanError(f"cannot start the emulator: {exc}", hint=INSTALL_HINT) from None
    finally:
        log.close()


def stop(state_root: Path) -> EmulatorState | None:
    """Stop the emulator envman started here; a stale pid file (its process gone, or its pid
    now someone else's) is only removed: None, nothing was running."""
    state = running(state_root)
    if state is None:
        (state_root / PID_FILE).unlink(missing_ok=True)
        return None
    if pid_alive(state.pid):
        try:
            os.kill(state.pid, signal.SIGTERM)
        except PermissionError:
            raise EnvmanError(
                f"the emulator (pid {state.pid}) belongs to another user: not stopped",
                hint=f"ask its owner, or remove {state_root / PID_FILE} if it is not yours",
            ) from None
        except ProcessLookupError:
            pass  # it ended meanwhile
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
