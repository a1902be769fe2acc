"""The digest of a CDK app's sources: what decides whether a cached synthesis is still good."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

# bumped when what envman does to a synthesised stack changes (invalidates every cache)
SYNTH_VERSION = "1"

# folders that are never the app's source: environments, caches, build and synth output
SKIPPED_DIRS = frozenset(
    {
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".git",
        ".terraform",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".envman",
        "cdktf.out",
    }
)
SKIPPED_SUFFIXES = (".pyc", ".tfstate", ".tfstate.backup")


def source_files(directory: Path, skipped: frozenset[str] = frozenset()) -> list[Path]:
    """The app's files, sorted; ``skipped`` adds folder names (the app's own output folder)."""
    skip = SKIPPED_DIRS | skipped
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        for name in files:
            if not name.endswith(SKIPPED_SUFFIXES):
                found.append(Path(root) / name)
    return sorted(found)


def app_digest(directory: Path, environment: str, skipped: frozenset[str] = frozenset()) -> str:
    """sha256 over the app's relative paths and contents, the environment and SYNTH_VERSION."""
    digest = hashlib.sha256()
    digest.update(f"envman-synth {SYNTH_VERSION}\0{environment}\0".encode())
    for path in source_files(directory, skipped):
        try:
            content = path.read_bytes()
        except OSError:
            continue  # a dangling link or a file that vanished: not a source
        digest.update(str(path.relative_to(directory)).encode() + b"\0")
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()
