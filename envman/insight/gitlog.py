"""Commits from the project's git checkout (read only): the commits between two recorded
commits (diff, changelog), and the commit times a deployment carried (lead time,
docs/metrics.md). A checkout without them (a shallow CI clone, records from elsewhere)
answers "unknown", never an error."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

_HEX = re.compile(r"[0-9a-f]{7,64}")
MAX_COMMITS = 200  # a range longer than that is cut (said in ``note``)
_SEP = "\x1f"
TIMEOUT = 30


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
