"""terraform's -json stream written to a file that envman follows (docs/releases.md).

terraform never writes to a pipe that dies with envman: its stdout is the run's event log. envman
reads the file as it grows and hands each complete line on, until terraform has exited and the
file is read to its end.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from subprocess import Popen, TimeoutExpired
from typing import Any

FOLLOW_INTERVAL = 0.05  # seconds between looks at a quiet event log
Event = dict[str, Any]


def parse_line(raw: bytes) -> Event | None:
    raw = raw.strip()
    if not raw.startswith(b"{"):
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@contextlib.contextmanager
def event_log(events: Path | None) -> Iterator[Path]:
    """The run's event log, or a private temporary one removed afterwards."""
    if events is not None:
        events.parent.mkdir(parents=True, exist_ok=True)
        yield events
        return
    with tempfile.TemporaryDirectory(prefix="envman-") as folder:
        yield Path(folder) / "events.jsonl"


def follow(log: Path, child: Popen[bytes], on_event: Callable[[Event], None]) -> None:
    """Hand every complete line terraform writes to ``log`` to ``on_event`` until it exits."""
    with log.open("rb") as handle:
        pending = b""
        while True:
            chunk = handle.read(65536)
            if chunk:
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    event = parse_line(raw)
                    if event is not None:
                        on_event(event)
                continue
            if child.poll() is not None:
                rest = handle.read()
                if not rest:
                    break
                pending += rest
                continue
            with contextlib.suppress(TimeoutExpired):  # back as soon as terraform exits
                child.wait(FOLLOW_INTERVAL)
        event = parse_line(pending)
        if event is not None:
            on_event(event)
