"""`--changed REF`: the components whose stack folder, local modules or environment inputs
changed since a git revision (the caller adds their dependents)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from envman.config.paths import FACTS_CACHE
from envman.config.stack import local_module_dirs
from envman.config.tfvars import tfvars_names
from envman.errors import UsageError
from envman.graph.plan import GraphTarget, component_workspace


def changed_files(root: Path, ref: str) -> set[Path]:
    """Files changed between ``ref`` and the working tree, untracked ones included."""
    top = _git(root, ["rev-parse", "--show-toplevel"]).strip()
    diff = _git(root, ["diff", "--name-only", resolve_commit(root, ref), "--"])
    untracked = _git(root, ["ls-files", "--others", "--exclude-standard", "--full-name"])
    return {(Path(top) / line).resolve() for line in (diff + untracked).splitlines() if line}


def resolve_commit(root: Path, ref: str) -> str:
    """The commit ``ref`` names, as a full hash: never an option to git (a value such as
    ``--output=FILE`` is a revision that does not exist, not a flag)."""
    if not ref or "\0" in ref:
        raise UsageError("--changed: name a git revision", hint="e.g. --changed origin/main")
    found = _git(root, ["rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}"])
    commit = found.strip()
    if len(commit) not in (40, 64) or not all(c in "0123456789abcdef" for c in commit):
        raise UsageError("--changed: git did not name a commit", hint="name an existing revision")
    return commit


def changed_components(target: GraphTarget, ref: str) -> list[str]:
    files = changed_files(target.project.root, ref)
    cache = target.project.state_root / FACTS_CACHE
    env_dir = target.env.directory.resolve()
    shared = [f for f in files if f.parent == env_dir and _shared_tfvars(f.name)]
    found = []
    for name in target.names:
        spec = target.components.specs[name]
        folders = [spec.stack_dir, *local_module_dirs(spec.stack_dir, cache)]
        code = any(_under(f, folder) for f in files for folder in folders)
        own = env_dir / f"{name}.tfvars" in files
        if code or own or (shared and _reads_any(target, name, shared, cache)):
            found.append(name)
    return found


def _shared_tfvars(filename: str) -> bool:
    return filename == "terraform.tfvars" or filename.endswith(
        (".auto.tfvars", ".auto.tfvars.json")
    )


def _reads_any(target: GraphTarget, name: str, files: list[Path], cache: Path) -> bool:
    """The component declares a variable one of the changed shared tfvars sets (a deleted
    file counts for every component)."""
    declared = set(component_workspace(target, name).stack.variables)
    return any(not p.is_file() or declared & tfvars_names(p, cache) for p in files)


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder.resolve() in path.parents


def _git(root: Path, args: list[str]) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"--changed: cannot run git: {exc}") from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["git failed"])[0]
        raise UsageError(
            f"--changed: git {args[0]} failed in {root}: {first}",
            hint="run it in a git repository and name an existing revision",
        )
    return done.stdout
