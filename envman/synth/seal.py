"""The seal of a synthesised output: what lets a cached synthesis be trusted.

A synthesis is the app's stacks as JSON, and terraform applies what they say. Whoever can
write into ``.envman/`` must not be able to change what is applied (a variable made
non-sensitive, a resource added) without touching the app's reviewed sources. So a complete
output's marker file holds a digest of every file of the output and an HMAC of it made with
the user's cache key (the parse cache's, kept outside the project). A cached output whose
files no longer match, or whose seal does not verify, is synthesised again. Without a
trustworthy key nothing is cached: every run synthesises.

Two files are left out: terraform's provider lock file (terraform writes it during init and
verifies providers against it itself) and envman's backend override (rewritten by every run).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from envman.config.cachekey import cache_key, sign, verified
from envman.synth.select import OVERRIDE_FILE

DONE = ".envman-synth-done"
LOCK_FILE = ".terraform.lock.hcl"
_UNSEALED = frozenset({DONE, LOCK_FILE, OVERRIDE_FILE})


def content_digest(out_dir: Path) -> str:
    """sha256 over the relative path and content of every file of the output."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(out_dir):
        dirs.sort()
        for name in sorted(files):
            if name in _UNSEALED or name.startswith("."):
                continue
            path = Path(root) / name
            digest.update(str(path.relative_to(out_dir)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def seal(out_dir: Path, name: str) -> None:
    """Mark ``out_dir`` (to be renamed ``name``) complete, its content sealed."""
    payload = {"name": name, "content": content_digest(out_dir)}
    key = cache_key()
    document = {**payload, "mac": sign(key, payload) if key is not None else None}
    fd = os.open(out_dir / DONE, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle)


def sealed(out_dir: Path) -> bool:
    """The output is complete and every file is as it was synthesised."""
    key = cache_key()
    if key is None:
        return False
    try:
        document = json.loads((out_dir / DONE).read_text(encoding="utf-8"))
        payload = {"name": out_dir.name, "content": content_digest(out_dir)}
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and verified(key, payload, document.get("mac"))
