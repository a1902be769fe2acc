"""The project as a release saw it: a git worktree of the release's commit in a temporary
folder, removed afterwards (also on failure). `envman destroy ENV -c NAME` destroys an
orphaned component with the stack code of the release that last applied it
(docs/operations.md, "Orphans")."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from envman.errors import EnvmanError

GIT_TIMEOUT = 120


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=GIT_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EnvmanError(f"cannot run git in {cwd}: {exc}") from None


def _first_line(done: subprocess.CompletedProcess[str]) -> str:
    return (done.stderr.strip().splitlines() or ["git failed"])[0]


@contextlib.contextmanager
def recorded_project(root: Path, commit: str, what: str) -> Iterator[Path]:
    """The project folder at ``commit`` (a detached git worktree in a temporary folder).
    ``what`` names what needs it, for messages."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise EnvmanError(
            f"{what}: {root} is not in a git repository, so the stack code of commit "
            f"{commit[:12]} cannot be checked out",
            hint="run it from a clone of the repository, or use envman forget",
        )
    repo = Path(top.stdout.strip())
    known = _git(repo, "cat-file", "-e", f"{commit}^{{commit}}")
    if known.returncode != 0:
        raise EnvmanError(
            f"{what}: commit {commit[:12]} is not in the clone at {repo}",
            hint="fetch it (git fetch --unshallow, or git fetch origin COMMIT), then run again",
        )
    folder = Path(tempfile.mkdtemp(prefix="envman-recorded-"))
    tree = folder / "src"
    try:
        added = _git(repo, "worktree", "add", "--detach", str(tree), commit)
        if added.returncode != 0:
            raise EnvmanError(
                f"{what}: git worktree add of commit {commit[:12]} failed: {_first_line(added)}"
            )
        yield tree / root.resolve().relative_to(repo.resolve())
    finally:
        _git(repo, "worktree", "remove", "--force", str(tree))
        shutil.rmtree(folder, ignore_errors=True)
        _git(repo, "worktree", "prune")
