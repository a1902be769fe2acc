"""Who and what made a release: actor, git commit, envman version."""

from __future__ import annotations

import getpass
import os
import socket
import subprocess
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from envman import __version__


def actor() -> str:
    for name in ("ENVMAN_ACTOR", "GITHUB_ACTOR"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def git_info(root: Path) -> dict[str, object]:
    """The checkout's provenance: commit, its committer time, branch, exact tag, dirty flag,
    and the CI run. Never a remote: a remote URL can hold credentials."""

    def run(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = run("rev-parse", "HEAD")
    status = run("status", "--porcelain") if commit else None
    info: dict[str, object] = {
        "commit": commit,
        "dirty": bool(status) if status is not None else None,
    }
    if commit:
        info["commit_time"] = run("show", "-s", "--format=%cI", "HEAD") or None
        info["branch"] = _branch(run("symbolic-ref", "--quiet", "--short", "HEAD"))
        info["tag"] = run("describe", "--exact-match", "--tags", "HEAD") or None
    ci = ci_run(os.environ)
    if ci is not None:
        info["ci"] = ci
    return info


def _branch(found: str | None) -> str | None:
    """The branch checked out; a detached checkout in GitHub Actions names GITHUB_REF_NAME
    when the run is for a branch."""
    if found:
        return found
    if os.environ.get("GITHUB_REF_TYPE") == "branch":
        return os.environ.get("GITHUB_REF_NAME") or None
    return None


def ci_run(environ: Mapping[str, str]) -> dict[str, str] | None:
    """The GitHub Actions run (server, repository, run id, attempt), when there is one."""
    if environ.get("GITHUB_ACTIONS") != "true" and not environ.get("GITHUB_RUN_ID"):
        return None
    run_id = environ.get("GITHUB_RUN_ID")
    if not run_id:
        return None
    found = {
        "provider": "github",
        "server": _without_credentials(environ.get("GITHUB_SERVER_URL", "https://github.com")),
        "repository": environ.get("GITHUB_REPOSITORY", ""),
        "run_id": run_id,
        "attempt": environ.get("GITHUB_RUN_ATTEMPT", ""),
    }
    return {k: v for k, v in found.items() if v}


def _without_credentials(url: str) -> str:
    """A URL as recorded: user and password (https://user:token@host) never are."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def envman_version() -> str:
    return __version__
