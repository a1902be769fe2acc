"""The operation lock of an environment: ``lock.json`` in its ledger store.

It sits on top of terraform's state lock and covers a whole envman operation (plan + apply +
verify + record). Taking it is an exclusive create; releasing deletes it only if it still holds
our id. A lock left by a dead process on this host is taken over; any other holder is reported
with a one-line ``LockHeld`` and the ``envman unlock`` command that clears it.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import uuid
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import Any

from envman.errors import EnvmanError, LockHeld
from envman.releases.store import LedgerStore
from envman.timeutil import iso, now

LOCK_NAME = "lock.json"
UNREADABLE = "unreadable"
_TRIES = 5


@dataclass(frozen=True)
class LockInfo:
    id: str
    operation: str
    actor: str
    host: str
    pid: int
    started_at: str

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
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls(UNREADABLE, "?", "?", "?", 0, "?")


class OperationLock:
    """A held lock; a context manager that releases it on exit."""

    def __init__(self, store: LedgerStore, info: LockInfo) -> None:
        self.store = store
        self.info = info
        self.released = False

    @property
    def id(self) -> str:
        return self.info.id

    def release(self) -> None:
        if not self.released:
            self.released = True
            force_release(self.store, self.info.id)

    def __enter__(self) -> OperationLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.release()
            return
        try:
            self.release()
        except EnvmanError as failure:  # the error on its way out is the one to report
            print(
                f"warning: could not release operation lock {self.info.id}: {failure} "
                f"(if it stays: envman unlock <env> {self.info.id} --confirm <env>)",
                file=sys.stderr,
            )


def holder(store: LedgerStore) -> LockInfo | None:
    """Who holds the lock now, or None."""
    data = store.read(LOCK_NAME)
    return None if data is None else LockInfo.parse(data)


def acquire(
    store: LedgerStore, operation: str, actor: str, *, environment: str | None = None
) -> OperationLock:
    """Take the lock or raise ``LockHeld``. ``environment`` names it in messages."""
    me = LockInfo(
        id=uuid.uuid4().hex,
        operation=operation,
        actor=actor,
        host=socket.gethostname(),
        pid=os.getpid(),
        started_at=iso(now()),
    )
    for _ in range(_TRIES):
        if store.create(LOCK_NAME, me.to_bytes()):
            return OperationLock(store, me)
        current = holder(store)
        if current is None:
            continue  # released between our create and our read
        if _is_stale(current):
            force_release(store, current.id)
            continue
        raise _held(store, current, environment)
    current = holder(store)
    raise _held(store, current or me, environment)


def force_release(store: LedgerStore, lock_id: str) -> bool:
    """Delete the lock if it holds ``lock_id`` (for ``envman unlock``); True if deleted."""
    current = holder(store)
    if current is None or current.id != lock_id:
        return False
    store.delete(LOCK_NAME)
    return True


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return True  # cannot tell: assume alive, never steal a live lock
    return True


def _is_stale(info: LockInfo) -> bool:
    return (
        info.id != UNREADABLE
        and info.host == socket.gethostname()
        and info.pid != os.getpid()
        and not pid_alive(info.pid)
    )


def _held(store: LedgerStore, info: LockInfo, environment: str | None) -> LockHeld:
    env = environment or "<env>"
    label = f"environment '{environment}'" if environment else store.describe()
    if info.id == UNREADABLE:
        return LockHeld(
            f"{label} is locked: {store.describe()}{LOCK_NAME} is unreadable",
            hint=f"if no envman run is active: envman unlock {env} {UNREADABLE} --confirm {env}",
        )
    return LockHeld(
        f"{label} is locked by {info.operation} of {info.actor} on {info.host} "
        f"(pid {info.pid}) since {info.started_at}",
        hint=f"wait for it to finish, or if it crashed: envman unlock {env} {info.id} "
        f"--confirm {env}",
    )
