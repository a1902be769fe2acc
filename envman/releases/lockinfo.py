"""Who holds an environment's operation lock: the holder document in ``lock.json``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

UNREADABLE = "unreadable"


@dataclass(frozen=True)
class LockInfo:
    id: str
    operation: str
    actor: str
    host: str
    pid: int
    started_at: str
    process_start: str = ""
    boot_id: str = ""
    run_id: str = ""
    expires_at: str = ""
    child_pid: int = 0
    child_start: str = ""

    def to_bytes(self) -> bytes:
        return (json.dumps(asdict(self), indent=2) + "\n").encode("utf-8")

    @classmethod
    def parse(cls, data: bytes) -> LockInfo:
        """The holder described by ``data``; an unreadable lock gets the id "unreadable"."""
        try:
            doc: Any = json.loads(data)
            return cls(
                id=str(doc["id"]),
                operation=str(doc.get("operation", "?")),
                actor=str(doc.get("actor", "?")),
                host=str(doc.get("host", "?")),
                pid=int(doc.get("pid", 0)),
                started_at=str(doc.get("started_at", "?")),
                process_start=str(doc.get("process_start") or ""),
                boot_id=str(doc.get("boot_id") or ""),
                run_id=str(doc.get("run_id") or ""),
                expires_at=str(doc.get("expires_at") or ""),
                child_pid=int(doc.get("child_pid") or 0),
                child_start=str(doc.get("child_start") or ""),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls(UNREADABLE, "?", "?", "?", 0, "?")

    def describe(self) -> str:
        return f"{self.operation} of {self.actor} on {self.host} (pid {self.pid})"
