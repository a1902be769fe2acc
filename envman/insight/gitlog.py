"""The commits between two recorded commits, from the project's git checkout (read only)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

_HEX = re.compile(r"[0-9a-f]{7,64}")
MAX_COMMITS = 200  # a range longer than that is cut (said in ``note``)
_SEP = "\x1f"


@dataclass(frozen=True)
class Commit:
    sha: str
    time: str  # committer date, ISO 8601
    author: str
    subject: str

    def to_json(self) -> dict[str, str]:
        return {"sha": self.sha, "time": self.time, "author": self.author, "subject": self.subject}


@dataclass(frozen=True)
class CommitRange:
    """The commits reachable from ``new`` and not from ``old``, newest first; ``known`` is
    False when git could not tell (no checkout, a commit it does not have), ``note`` says why."""

    old: str | None
    new: str | None
    known: bool
    commits: list[Commit] = field(default_factory=list)
    note: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "from": self.old,
            "to": self.new,
            "known": self.known,
            "commits": [c.to_json() for c in self.commits],
            "note": self.note,
        }


def commits_between(root: Path, old: str | None, new: str | None) -> CommitRange:
    if not new:
        return CommitRange(old, new, False, note="no commit recorded")
    if not old:
        return CommitRange(old, new, False, note="no earlier commit recorded")
    if old == new:
        return CommitRange(old, new, True)
    for sha in (old, new):  # never an option or a revision expression
        if not _HEX.fullmatch(sha):
            return CommitRange(old, new, False, note=f"not a commit id: {sha[:40]!r}")
    span = f"{old}..{new}"
    fmt = _SEP.join(("%H", "%cI", "%an", "%s"))
    out = _git(root, "log", f"--max-count={MAX_COMMITS + 1}", f"--format={fmt}", span, "--")
    if out is None:
        return CommitRange(old, new, False, note="commits not in this checkout")
    commits = [_parse(line) for line in out.splitlines() if line.count(_SEP) >= 3]
    note = None
    if len(commits) > MAX_COMMITS:
        commits, note = commits[:MAX_COMMITS], f"the newest {MAX_COMMITS} shown"
    return CommitRange(old, new, True, commits, note)


def _parse(line: str) -> Commit:
    sha, time, author, subject = line.split(_SEP, 3)
    return Commit(sha, time, author, subject)


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
