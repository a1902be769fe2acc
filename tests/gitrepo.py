"""A project as a git checkout, for the insight tests (docs/insight.md): commits and tags."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.parity import Project

GIT = ("git", "-c", "user.name=Dana Dev", "-c", "user.email=dana@example.com")
IGNORED = "state/\n.envman/\n.terraform/\n"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        [*GIT, "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def commit(root: Path, message: str, tag: str | None = None) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    if tag is not None:
        git(root, "tag", tag)
    return git(root, "rev-parse", "HEAD")


def repository(project: Project) -> str:
    """The project as a git checkout on branch main, its first commit tagged v1.0.0."""
    (project.root / ".gitignore").write_text(IGNORED)
    git(project.root, "init", "-q", "-b", "main")
    return commit(project.root, "first image", tag="v1.0.0")


def ok(project: Project, *args: str) -> str:
    result = project.cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def as_json(project: Project, *args: str) -> Any:
    return json.loads(ok(project, *args, "--json"))
