"""Forward Ctrl-C / SIGTERM to running terraform processes as an interrupt.

terraform, on its first SIGINT, stops cleanly: it finishes the operations under way, writes
state and releases its lock. envman installs one handler (main thread) that forwards the
first signal to the whole process group of every registered child (terraform runs in its own
session, so a provisioner's children stop too) and remembers that the run was interrupted. A
second signal is not forwarded (terraform would abort without saving state): envman says that
terraform is still stopping.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from types import FrameType

_children: set[subprocess.Popen[bytes]] = set()
_lock = threading.Lock()
_interrupted = threading.Event()
_installed = False


def install() -> None:
    """Install the handlers (idempotent; only possible in the main thread)."""
    global _installed
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGINT, _handle)
    signal.signal(signal.SIGTERM, _handle)
    _installed = True


def _handle(signum: int, frame: FrameType | None) -> None:
    first = not _interrupted.is_set()
    _interrupted.set()
    with _lock:
        children = list(_children)
    if not children:
        raise KeyboardInterrupt
    if first:
        for child in children:
            if child.poll() is None:
                interrupt_group(child.pid)
        return
    pids = ", ".join(str(c.pid) for c in children if c.poll() is None)
    if pids:
        print(
            f"still stopping: terraform (pid {pids}) is finishing its operations, saving "
            "state and releasing its lock",
            file=sys.stderr,
            flush=True,
        )


def interrupt_group(pid: int) -> None:
    """SIGINT to the process group led by ``pid`` (terraform and its provisioners)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        try:
            os.killpg(pid, signal.SIGINT)
        except ProcessLookupError:
            os.kill(pid, signal.SIGINT)


def interrupted() -> bool:
    return _interrupted.is_set()


def ignore_from_now() -> None:
    """The command's outcome is decided: a signal during the interpreter's shutdown (which
    restores default handlers) must not kill the process and turn its exit code into -15."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


def reset() -> None:
    _interrupted.clear()


def register(child: subprocess.Popen[bytes]) -> None:
    with _lock:
        _children.add(child)


def unregister(child: subprocess.Popen[bytes]) -> None:
    with _lock:
        _children.discard(child)
