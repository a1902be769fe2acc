"""`plan --changed BASE`: the components an environment took at BASE that it no longer takes
(their block deleted, or dropped from its `components = [...]`): applying the change leaves
their state behind, so the review says they will be orphaned (docs/operations.md "Orphans")."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from envman.config.hclfile import LABEL, parse_hcl_text
from envman.config.paths import ENVIRONMENT_FILE, ENVIRONMENTS_DIR, PROJECT_FILE
from envman.errors import ConfigError
from envman.graph.changed import resolve_commit
from envman.graph.plan import GraphTarget


def _show(root: Path, commit: str, path: Path) -> dict[str, Any] | None:
    """The parsed file at ``commit`` (None: not there, or not readable HCL)."""
    try:
        done = subprocess.run(
            ["git", "show", f"{commit}:./{path.relative_to(root).as_posix()}"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    if done.returncode != 0:
        return None
    try:
        return parse_hcl_text(done.stdout, path)
    except ConfigError:
        return None


def components_at(root: Path, commit: str, environment: str) -> list[str]:
    """The components ``environment`` took at ``commit``."""
    project = _show(root, commit, root / PROJECT_FILE) or {}
    declared = [
        str(block[LABEL])
        for block in project.get("component") or []
        if isinstance(block, dict) and LABEL in block
    ]
    env_file = root / ENVIRONMENTS_DIR / environment / ENVIRONMENT_FILE
    chosen = (_show(root, commit, env_file) or {}).get("components")
    if isinstance(chosen, list):
        return [n for n in declared if n in {str(c) for c in chosen}]
    return declared


def removed_since(target: GraphTarget, ref: str) -> list[str]:
    """The components the environment took at ``ref`` and no longer takes."""
    root = target.project.root
    before = components_at(root, resolve_commit(root, ref), target.env.name)
    return [n for n in before if n not in target.names]
