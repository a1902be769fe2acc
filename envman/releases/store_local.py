"""A ledger store in a local folder: ``<state path>.releases/`` (docs/releases.md).

Writes go to a hidden temp file in the same folder, are fsynced, then published: ``create``
hard-links the temp file to the final name (the link fails if the name is taken, so it is
exclusive and never overwrites) and ``replace`` renames it over the final name. Either way a
reader sees the whole object or none of it.

Conditional updates compare a version token (the SHA-256 of the content) while holding an
exclusive ``flock`` on a hidden sidecar file ``.<name>.cas``, so two writers never both win.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from envman.errors import EnvmanError
from envman.releases.store import Versioned, check_name

_NO_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV)


class LocalStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def describe(self) -> str:
        return f"{self.folder}{os.sep}"

    def _path(self, name: str) -> Path:
        return self.folder.joinpath(*check_name(name).split("/"))

    def list_names(self, prefix: str = "", start_after: str = "") -> list[str]:
        if not self.folder.is_dir():
            return []
        names: list[str] = []
        try:
            for root, dirs, files in os.walk(self.folder):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                rel = Path(root).relative_to(self.folder).as_posix()
                base = "" if rel == "." else f"{rel}/"
                names.extend(base + f for f in files if not f.startswith("."))
        except OSError as exc:
            raise _error("list", self.folder, exc) from None
        return sorted(n for n in names if n.startswith(prefix) and n > start_after)

    def read(self, name: str) -> bytes | None:
        path = self._path(name)
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise _error("read", path, exc) from None

    def create(self, name: str, data: bytes) -> bool:
        path = self._path(name)
        with self._temp(path, data) as tmp:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            except OSError as exc:
                if exc.errno not in _NO_LINKS:
                    raise _error("create", path, exc) from None
                return self._create_without_links(path, data)
        _sync_dir(path.parent)
        return True

    def replace(self, name: str, data: bytes) -> None:
        path = self._path(name)
        with self._temp(path, data) as tmp:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise _error("write", path, exc) from None
        _sync_dir(path.parent)

    def delete(self, name: str) -> None:
        path = self._path(name)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise _error("delete", path, exc) from None

    def read_versioned(self, name: str) -> Versioned | None:
        data = self.read(name)
        return None if data is None else Versioned(data, content_version(data))

    def replace_if(self, name: str, data: bytes, version: str) -> bool:
        with self._exclusive(name):
            current = self.read(name)
            if current is None or content_version(current) != version:
                return current == data
            self.replace(name, data)
            return True

    def delete_if(self, name: str, version: str) -> bool:
        with self._exclusive(name):
            current = self.read(name)
            if current is None:
                return True
            if content_version(current) != version:
                return False
            self.delete(name)
            return True

    @contextlib.contextmanager
    def _exclusive(self, name: str) -> Iterator[None]:
        path = self._path(name)
        guard = path.with_name(f".{path.name}.cas")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(guard, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _error("lock", guard, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    @contextlib.contextmanager
    def _temp(self, path: Path, data: bytes) -> Iterator[Path]:
        """A fsynced temp file next to ``path`` holding ``data``; removed afterwards."""
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _error("write", path, exc) from None
        try:
            yield tmp
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def _create_without_links(self, path: Path, data: bytes) -> bool:
        """Exclusive create on a filesystem without hard links (a reader may see it growing)."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        except OSError as exc:
            raise _error("create", path, exc) from None
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        return True


def content_version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _sync_dir(folder: Path) -> None:
    """Make a new directory entry durable (best effort: not every platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _error(action: str, path: Path, exc: OSError) -> EnvmanError:
    reason = exc.strerror or exc.__class__.__name__
    return EnvmanError(
        f"cannot {action} {path}: {reason}",
        hint="check that the folder exists and is writable by this user",
    )
