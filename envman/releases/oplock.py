"""The operation lock of an environment: a lease in ``lock.json`` in its ledger store.

It sits on top of terraform's state lock and covers a whole envman operation (plan + apply +
verify + record). Public API (used by apply, promote, rollback, destroy, ``tf``)::

    with acquire(store, "apply", actor(), environment=env.name, run_id=run.id) as lock:
        lock.attach_child(pid)   # terraform started: the lease lives while it runs
        lock.check()             # raise LockHeld if the lease was lost (taken over)
    held_here(store)             # the lease this process holds on store, or None
    force_release(store, lock_id)  # `envman unlock`: a conditional delete of that holder

- Taking it is an exclusive create. The holder names actor, host, pid, the process's start
  time, the boot id and the run id, and an ``expires_at`` that a background thread renews
  (conditional write on the version read) while the run lives.
- Releasing is a conditional delete (S3 ``If-Match``): a lock that is no longer ours stays.
- A holder that is provably gone (same host and boot, its process and its terraform child
  gone or replaced) or whose lease expired is taken over with a conditional write, and the
  takeover is reported in one line through ``on_note`` (the caller's: this module never
  prints), and so is a lock that could not be released on the way out of an error.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from types import TracebackType
from typing import Any

from envman.errors import EnvmanError, LockHeld
from envman.lease import (
    boot_id,
    lease_seconds,
    process_alive,
    process_start,
    wall_clock,
)
from envman.releases.lockinfo import UNREADABLE, LockInfo
from envman.releases.store import LedgerStore
from envman.timeutil import iso, parse_rfc3339

LOCK_NAME = "lock.json"
_TRIES = 5
Note = Callable[[str], None]
_HELD: dict[str, OperationLock] = {}  # the leases this process holds, by store
_HELD_GUARD = threading.Lock()
_REMOVED = LockInfo("removed", "unlock", "?", "?", 0, "?")  # "lost": deleted, not taken over


class OperationLock:
    """A held lease; a context manager that renews it while held and releases it on exit."""

    def __init__(
        self, store: LedgerStore, info: LockInfo, version: str, note: Note | None = None
    ) -> None:
        self.store = store
        self.note: Note = note or _ignore
        self.info = info
        self.version = version
        self.released = False
        self.lost: LockInfo | None = None
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    @property
    def id(self) -> str:
        return self.info.id

    def start_renewing(self) -> None:
        interval = max(lease_seconds() / 3.0, 0.2)
        self._renewer = threading.Thread(target=self._renew_loop, args=(interval,), daemon=True)
        self._renewer.start()

    def _renew_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.renew()
            except EnvmanError:
                continue  # S3 unreachable for a moment: try again at the next tick

    def renew(self, **changes: Any) -> bool:
        """Push the expiry forward (and record ``changes``); False once the lease is lost."""
        with self._guard:
            if self.released or self.lost is not None:
                return False
            info = replace(self.info, expires_at=_expiry(), **changes)
            data = info.to_bytes()
            if not self.store.replace_if(LOCK_NAME, data, self.version):
                current = self.store.read(LOCK_NAME)
                self.lost = LockInfo.parse(current) if current else _REMOVED
                return False
            found = self.store.read_versioned(LOCK_NAME)
            self.info = info
            self.version = found.version if found and found.data == data else self.version
            return True

    def attach_child(self, pid: int) -> None:
        """terraform runs as ``pid``: the lease stays held while it lives, even without us."""
        self.renew(child_pid=pid, child_start=process_start(pid))

    def check(self) -> None:
        """Raise ``LockHeld`` if another run took the lease over."""
        if self.lost is _REMOVED:
            raise LockHeld(
                "the operation lock was removed while this run held it (envman unlock?); stopping",
                hint="check that no other run is active, then run the command again",
            )
        if self.lost is not None:
            raise LockHeld(
                f"the operation lock was taken over by {self.lost.describe()}; stopping",
                hint="another run considered this one gone; check `envman history`",
            )

    def release(self) -> None:
        self._stop.set()
        with _HELD_GUARD:
            if _HELD.get(self.store.describe()) is self:
                del _HELD[self.store.describe()]
        with self._guard:
            if self.released:
                return
            self.released = True
            if self.lost is None:
                self.store.delete_if(LOCK_NAME, self.version)

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
            self.note(
                f"warning: could not release operation lock {self.info.id}: {failure} "
                f"(it expires on its own by {self.info.expires_at})"
            )


def holder(store: LedgerStore) -> LockInfo | None:
    """Who holds the lock now, or None."""
    data = store.read(LOCK_NAME)
    return None if data is None else LockInfo.parse(data)


def _expiry() -> str:
    return iso(wall_clock() + timedelta(seconds=lease_seconds()))


def _me(operation: str, actor: str, run_id: str) -> LockInfo:
    pid = os.getpid()
    return LockInfo(
        id=uuid.uuid4().hex,
        operation=operation,
        actor=actor,
        host=socket.gethostname(),
        pid=pid,
        started_at=iso(wall_clock()),
        process_start=process_start(pid),
        boot_id=boot_id(),
        run_id=run_id,
        expires_at=_expiry(),
    )


def acquire(
    store: LedgerStore,
    operation: str,
    actor: str,
    *,
    environment: str | None = None,
    run_id: str = "",
    on_note: Note | None = None,
) -> OperationLock:
    """Take the lease or raise ``LockHeld``. ``environment`` names it in messages; what is
    worth a line (a takeover, a failed release) goes to ``on_note`` (None: nowhere)."""
    me = _me(operation, actor, run_id)
    data = me.to_bytes()
    note = on_note or _ignore
    for _ in range(_TRIES):
        if store.create(LOCK_NAME, data):
            return _held_by_us(store, me, data, note)
        found = store.read_versioned(LOCK_NAME)
        if found is None:
            continue  # released between our create and our read
        current = LockInfo.parse(found.data)
        why = gone_reason(current)
        if why is None:
            raise _held(store, current, environment)
        if store.replace_if(LOCK_NAME, data, found.version):
            note(f"took over the operation lock of {current.describe()}: {why}")
            return _held_by_us(store, me, data, note)
    last = holder(store)
    raise _held(store, last or me, environment)


def _ignore(_line: str) -> None:
    """The ``Note`` of a caller that gave none."""


def _held_by_us(store: LedgerStore, me: LockInfo, data: bytes, note: Note) -> OperationLock:
    found = store.read_versioned(LOCK_NAME)
    if found is None or found.data != data:
        raise EnvmanError(
            f"the operation lock {store.describe()}{LOCK_NAME} changed right after we took it",
            hint="retry the command",
        )
    lock = OperationLock(store, me, found.version, note)
    lock.start_renewing()
    with _HELD_GUARD:
        _HELD[store.describe()] = lock
    return lock


def held_here(store: LedgerStore) -> OperationLock | None:
    """The lease on ``store`` that this process holds, if any (for steps deep in a run)."""
    with _HELD_GUARD:
        lock = _HELD.get(store.describe())
    return lock if lock is not None and not lock.released else None


def force_release(store: LedgerStore, lock_id: str) -> bool:
    """Delete the lock if it holds ``lock_id`` (for ``envman unlock``); True if deleted."""
    found = store.read_versioned(LOCK_NAME)
    if found is None or LockInfo.parse(found.data).id != lock_id:
        return False
    return store.delete_if(LOCK_NAME, found.version)


def gone_reason(info: LockInfo) -> str | None:
    """Why the holder can be taken over (it is provably gone, or its lease expired), or None."""
    if info.id == UNREADABLE:
        return None
    if info.expires_at and not _alive_here(info):
        try:
            if parse_rfc3339(info.expires_at) < wall_clock():
                return f"its lease expired at {info.expires_at}"
        except ValueError:
            pass
    if info.host != socket.gethostname() or info.pid == os.getpid():
        return None
    if info.boot_id and info.boot_id != boot_id():
        return "its host has rebooted since"
    if process_alive(info.pid, info.process_start):
        return None
    if info.child_pid and process_alive(info.child_pid, info.child_start):
        return None  # envman is gone but its terraform is still running
    return "its process is gone"


def _alive_here(info: LockInfo) -> bool:
    """On this host and boot, is the holder (or its terraform) provably still running?"""
    if info.host != socket.gethostname() or (info.boot_id and info.boot_id != boot_id()):
        return False
    if process_alive(info.pid, info.process_start):
        return True
    return bool(info.child_pid) and process_alive(info.child_pid, info.child_start)


def _held(store: LedgerStore, info: LockInfo, environment: str | None) -> LockHeld:
    env = environment or "<env>"
    label = f"environment '{environment}'" if environment else store.describe()
    if info.id == UNREADABLE:
        return LockHeld(
            f"{label} is locked: {store.describe()}{LOCK_NAME} is unreadable",
            hint=f"if no envman run is active: envman unlock {env} {UNREADABLE} --confirm {env}",
        )
    if info.child_pid and not process_alive(info.pid, info.process_start):
        return LockHeld(
            f"{label} is locked: terraform (pid {info.child_pid}) of {info.describe()} is "
            "still running after envman stopped",
            hint="wait for it to finish; the next run then takes the lock over and records it",
        )
    return LockHeld(
        f"{label} is locked by {info.describe()} since {info.started_at}",
        hint=f"wait for it to finish, or if it crashed: envman unlock {env} {info.id} "
        f"--confirm {env}",
    )
