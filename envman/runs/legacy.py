"""Moving an environment's folder from the layout before runs (``.envman/<env>/``)."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from envman.runs.folder import META_FILE, PLAN_FILE, new_run, point_last_plan

# Names envman itself uses directly under .envman/: never an environment's old folder.
# (`demo`: scripts/demo.py builds its throwaway project in .envman/demo/.)
RESERVED = frozenset({"cache", "envs", "terraformrc", "emulator.json", "emulator.log", "demo"})
_MARKERS = ("init.fingerprint", META_FILE)  # files only an environment's old folder has


def migrate(legacy: Path, target: Path, name: str) -> bool:
    """Move ``legacy`` (.envman/<env>/) to ``target`` (.envman/envs/<env>/) once; its saved
    plan becomes a run that ``last-plan`` points at. True when something was moved."""
    if name in RESERVED or target.exists() or legacy.is_symlink() or not legacy.is_dir():
        return False
    if not any((legacy / marker).exists() for marker in _MARKERS):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(legacy, target)
    except OSError:
        return False  # another run moved it first, or another filesystem: start afresh
    target.chmod(0o700)
    _adopt_saved_plan(target)
    shutil.rmtree(target / "inputs", ignore_errors=True)  # old var files (may hold --set secrets)
    return True


def _adopt_saved_plan(env_root: Path) -> None:
    plan, meta = env_root / PLAN_FILE, env_root / META_FILE
    if not (plan.is_file() and meta.is_file()):
        for path in (plan, meta):
            path.unlink(missing_ok=True)
        return
    run = new_run(env_root, "plan")
    with contextlib.suppress(OSError):
        os.rename(plan, run.plan_file)
        os.rename(meta, run.meta_file)
        point_last_plan(run)
