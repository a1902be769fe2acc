"""Files and folders envman writes that may hold a value (docs/operations.md, "Security rules").

Every such file is created owner-only (0600) through a temporary file beside it, its text
through the redactor unless it holds values by necessity; every folder of envman's own is
0700 and never reached through a symlink: an existing symlink where envman expects its
folder is an error naming it (its target is never touched, never chmod-ed).
"""

from __future__ import annotations

import contextlib
import os
import stat
import uuid
from pathlib import Path

from envman.errors import EnvmanError
from envman.secrets.redactor import redact_stored


class NotOwnFolder(EnvmanError):
    """A path where envman keeps its own folder is a symlink (or not a folder)."""


def own_folder(path: Path, below: Path) -> Path:
    """Create ``path`` and every folder between ``below`` (included) and it, mode 0700,
    without following a symlink. ``below`` is envman's top folder (``.envman``)."""
    try:
        rel = path.relative_to(below)
    except ValueError:
        raise NotOwnFolder(f"{path} is not under envman's folder {below}") from None
    for index in range(-1, len(rel.parts)):
        _own_one(below.joinpath(*rel.parts[: index + 1]))
    return path


def _own_one(folder: Path) -> None:
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise NotOwnFolder(f"cannot create {folder}: {exc.strerror or exc}") from None
        info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode):
        raise NotOwnFolder(
            f"{folder} is a symlink; envman keeps its own files there and never follows one",
            hint="remove the symlink; envman creates the folder itself",
        )
    if not stat.S_ISDIR(info.st_mode):
        raise NotOwnFolder(f"{folder} is not a folder", hint="remove it or move it away")
    if stat.S_IMODE(info.st_mode) != 0o700:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            os.fchmod(fd, 0o700)
        finally:
            os.close(fd)


def write_private(path: Path, text: str, *, redacted: bool = True) -> None:
    """Write ``text`` to ``path`` owner-only (0600), atomically; through the redactor unless
    ``redacted`` is False (a file that holds its values by necessity)."""
    write_private_bytes(path, (redact_stored(text) if redacted else text).encode("utf-8"))


def write_private_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def redact_file(path: Path) -> None:
    """Rewrite a stored text file (an event log, terraform's stderr) with every known
    sensitive value replaced; owner-only. A file that cannot be read is left as it is."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    clean = redact_stored(text)
    if clean != text:
        with contextlib.suppress(OSError):  # a full disk: the file stays owner-only
            write_private_bytes(path, clean.encode("utf-8"))
