"""Forward Ctrl-C / SIGTERM to running terraform processes as an interrupt.

terraform, on its first SIGINT, stops cleanly: it finishes the operations under way, writes
state and releases its lock. envman installs one handler (main thread) that forwards the
first signal to every registered child and remembers that the run was interrupted.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
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
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(signal.SIGINT)


def interrupted() -> bool:
    return _interrupted.is_set()


def reset() -> None:
    _interrupted.clear()


def register(child: subprocess.Popen[bytes]) -> None:
    with _lock:
        _children.add(child)


def unregister(child: subprocess.Popen[bytes]) -> None:
    with _lock:
        _children.discard(child)
