"""Commit times from the project's git checkout, for lead time (docs/metrics.md).

One ``git cat-file --batch-check`` tells which recorded commits the checkout has; then one
``git log`` per deployment lists the commits it carried. A checkout without them (a shallow
CI clone, records from elsewhere) answers None, and lead time falls back.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

TIMEOUT = 30
_HEX = re.compile(r"[0-9a-f]{7,64}")  # a recorded commit is a hash, never an option


class GitCommits:
    """A ``CommitTimes`` over a checkout: the commits in ``previous..commit`` and their times."""

    def __init__(self, root: Path, known: Iterable[str]) -> None:
        self.root = root
        self.present = _present(root, {c for c in known if c and _HEX.fullmatch(c)})
        self._cache: dict[tuple[str | None, str], list[datetime] | None] = {}

    def __call__(self, previous: str | None, commit: str) -> list[datetime] | None:
        key = (previous, commit)
        if key not in self._cache:
            self._cache[key] = self._carried(previous, commit)
        return self._cache[key]

    def _carried(self, previous: str | None, commit: str) -> list[datetime] | None:
        if commit not in self.present:
            return None
        if previous == commit:
            return []
        span = f"{previous}..{commit}" if previous in self.present else commit
        limit = [] if previous in self.present else ["-1"]  # first: only its own commit
        out = _git(self.root, "log", "--format=%ct", *limit, span, "--")
        if out is None:
            return None
        return [datetime.fromtimestamp(int(t), UTC) for t in out.split() if t.isdigit()]


def _present(root: Path, commits: set[str]) -> set[str]:
    if not commits:
        return set()
    ordered = sorted(commits)
    out = _git(root, "cat-file", "--batch-check", stdin="\n".join(ordered) + "\n")
    if out is None:
        return set()
    lines = out.splitlines()
    return {c for c, line in zip(ordered, lines, strict=False) if line.split()[1:2] == ["commit"]}


def _git(root: Path, *args: str, stdin: str | None = None) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
