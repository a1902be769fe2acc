"""The key that authenticates parse-cache entries (``.envman/cache/``).

Whoever can write into a project's ``.envman/`` must not be able to change what envman does
(a hook's command, a variable's sensitivity) without touching a reviewed file. So every cache
entry carries an HMAC made with a key kept per user OUTSIDE the project:
``$XDG_CACHE_HOME/envman/cache.key`` (default ``~/.cache/envman/cache.key``), 32 random bytes,
mode 0600 in a 0700 folder, owned by the user. An entry whose HMAC does not verify is parsed
again, like a damaged one. A key that is missing is created; one that is not the user's, is
readable by others, or has the wrong size is not used: then nothing is cached or trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import stat
from functools import lru_cache
from pathlib import Path
from typing import Any

KEY_SIZE = 32
KEY_FILE = "cache.key"


def key_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "envman" / KEY_FILE


def cache_key() -> bytes | None:
    """This user's key, created on first use; None when no trustworthy key can be had."""
    try:
        return _load_or_create(key_path())
    except RuntimeError:  # Path.home() without a home
        return None


@lru_cache(maxsize=4)
def _load_or_create(path: Path) -> bytes | None:
    key = _read_key(path)
    if key is not None or path.exists():
        return key
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)  # another run made it at the same moment
    except OSError:
        return None
    with os.fdopen(fd, "wb") as handle:
        handle.write(os.urandom(KEY_SIZE))
    return _read_key(path)


def _read_key(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
            return None
        data = handle.read(KEY_SIZE + 1)
    return data if len(data) == KEY_SIZE else None


def sign(key: bytes, payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def verified(key: bytes, payload: dict[str, Any], mac: object) -> bool:
    return isinstance(mac, str) and hmac.compare_digest(sign(key, payload), mac)


def forget() -> None:
    """Read the key again on next use (tests)."""
    with contextlib.suppress(AttributeError):
        _load_or_create.cache_clear()
