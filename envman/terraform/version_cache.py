"""terraform's version, remembered per binary file so a run need not ask it every time.

``terraform version -json`` costs a process start on every envman run. The answer depends only
on the binary file, so it is kept in the user's cache folder keyed by the file's real path,
size, inode and modification and change times: replacing or upgrading the binary changes the
key and the version is asked again. A damaged or unwritable cache is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path


def cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "envman" / "terraform-versions.json"


def binary_key(path: str) -> str | None:
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except OSError:
        return None
    return f"{real}|{st.st_size}|{st.st_ino}|{st.st_mtime_ns}|{st.st_ctime_ns}"


def _load() -> dict[str, str]:
    try:
        doc = json.loads(cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in doc.items() if isinstance(k, str) and isinstance(v, str)}


def cached_version(path: str) -> str | None:
    key = binary_key(path)
    return None if key is None else _load().get(key)


def remember_version(path: str, version: str) -> None:
    key = binary_key(path)
    if key is None:
        return
    entries = {k: v for k, v in _load().items() if not k.startswith(key.split("|")[0] + "|")}
    entries[key] = version
    target = cache_file()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(entries), encoding="utf-8")
        os.replace(tmp, target)
