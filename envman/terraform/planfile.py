"""What a saved plan was made against: the state serial and lineage terraform keeps in it.

A saved plan (a zip) holds the state it was planned from (``tfstate``). When the state's serial
or lineage has moved since (another apply, a ``tf`` passthrough), terraform refuses the plan;
envman checks first, so that nothing is recorded for a plan that cannot apply.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from envman.errors import UsageError
from envman.terraform.state import StateInfo, read_state_info, state_info
from envman.terraform.state_direct import state_document
from envman.workspace import Workspace

MAX_STATE_BYTES = 512 * 1024 * 1024  # a plan's state entry above this is not read


def planned_from(plan_file: Path) -> StateInfo | None:
    """The serial and lineage of the state the plan was made from (None: not a plan file
    envman can read; terraform then judges it)."""
    try:
        with zipfile.ZipFile(plan_file) as archive:
            entry = archive.getinfo("tfstate")
            if entry.file_size > MAX_STATE_BYTES:
                return None
            data = json.loads(archive.read(entry))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    return state_info(data) if isinstance(data, dict) else None


def current_state(workspace: Workspace) -> StateInfo:
    data = state_document(workspace)
    if data is not None:
        return state_info(data)
    workspace.ensure_init()
    return read_state_info(workspace.terraform)


def state_moved(workspace: Workspace, plan_file: Path) -> str | None:
    """Why the saved plan no longer fits the state (None: it does, or only terraform knows)."""
    planned = planned_from(plan_file)
    if planned is None:
        return None
    now = current_state(workspace)
    if (planned.lineage or "") != (now.lineage or ""):
        return "the state was replaced (another lineage) since it was planned"
    if (planned.serial or 0) != (now.serial or 0):
        return f"the state changed since it was planned (serial {planned.serial or 0} → {now.serial or 0})"
    return None


def refuse_moved_state(workspace: Workspace, plan_file: Path, what: str) -> None:
    """Refuse (before anything is recorded) a saved plan ``what`` whose state moved."""
    moved = state_moved(workspace, plan_file)
    if moved is not None:
        env = workspace.env.name
        raise UsageError(
            f"the saved plan of {what} is stale: {moved}",
            hint=f"run envman plan {env} again",
        )
