"""Who listens on a TCP port: for "port 4566 is held by pid 123 (python -m moto.server)".

Read from /proc (Linux): the listening socket's inode in /proc/net/tcp{,6}, then the process
with a file descriptor on that socket. Best effort: None when it cannot be told (another OS,
another user's process).
"""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0", "[::1]"})


@dataclass(frozen=True)
class Holder:
    pid: int | None
    command: str | None

    def describe(self) -> str:
        if self.pid is None:
            return "another process"
        return f"pid {self.pid}" + (f" ({self.command})" if self.command else "")


def is_local_endpoint(url: str) -> bool:
    """Whether an endpoint URL points at this machine (where `envman emulator` runs)."""
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    return host in LOCAL_HOSTS or host.startswith("127.")


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex((host, port)) == 0


def port_holder(port: int) -> Holder | None:
    """The process listening on ``port``; Holder(None, None) when one listens but cannot be
    named; None when nothing listens."""
    inodes = _listening_inodes(port)
    if not inodes:
        return Holder(None, None) if port_in_use(port) else None
    for pid in _pids():
        if _has_socket(pid, inodes):
            return Holder(pid, process_name(pid))
    return Holder(None, None)


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) > 9 and fields[3] == LISTEN:
                    local_port = int(fields[1].rsplit(":", 1)[1], 16)
                    if local_port == port:
                        inodes.add(fields[9])
    return inodes


def _pids() -> list[int]:
    try:
        return sorted(int(name) for name in os.listdir("/proc") if name.isdigit())
    except OSError:
        return []


def _has_socket(pid: int, inodes: set[str]) -> bool:
    wanted = {f"socket:[{inode}]" for inode in inodes}
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{pid}/fd/{fd}") in wanted:
                return True
    return False


def process_name(pid: int) -> str | None:
    """What another process is, for a message: its program (and `-m MODULE`), never its
    arguments (someone else's command line may carry a password or a token)."""
    words = (process_command(pid, width=None) or "").split()
    if not words:
        return None
    shown = words[:3] if len(words) >= 3 and words[1] == "-m" else words[:1]
    return " ".join(shown)


def process_command(pid: int, width: int | None = 120) -> str | None:
    """The command line of a process (cut to ``width``); None when it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    words = [w.decode(errors="replace") for w in raw.split(b"\0") if w]
    text = " ".join([Path(words[0]).name, *words[1:]]) if words else ""
    return text[:width] or None
