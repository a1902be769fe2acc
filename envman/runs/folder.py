"""Run folders: ``.envman/envs/<env>/runs/<run-id>/`` (mode 0700), one per envman run.

A run keeps its var files (``inputs/``), its saved plan (``plan.tfplan`` + ``plan.meta.json``),
terraform's event logs (``<command>.events.jsonl`` + ``.stderr``) and ``run.json`` (who runs
it, and terraform's pid once started). Two runs never share a file. ``last-plan`` names the
run whose plan ``apply --plan`` takes. Finished runs are pruned, keeping the last few.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envman.lease import process_alive, process_start, wall_clock
from envman.secrets.files import own_folder, redact_file, write_private
from envman.timeutil import iso

RUNS_DIR = "runs"
LAST_PLAN = "last-plan"
INFO_FILE = "run.json"
PLAN_FILE = "plan.tfplan"
META_FILE = "plan.meta.json"
KEEP_RUNS = 10
REVIEW_PREFIX = ".plan-review-"  # a policy's input: the plan as JSON, every value in it
_open_runs: list[Run] = []  # the runs this process started and has not ended yet
_RUN_ID = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{6}$")


@dataclass(frozen=True)
class Run:
    env_root: Path
    id: str

    @property
    def folder(self) -> Path:
        return self.env_root / RUNS_DIR / self.id

    @property
    def inputs_dir(self) -> Path:
        return self.folder / "inputs"

    @property
    def plan_file(self) -> Path:
        return self.folder / PLAN_FILE

    @property
    def meta_file(self) -> Path:
        return self.folder / META_FILE

    def events(self, command: str) -> Path:
        """terraform's -json event log of ``command`` (plan, apply, ...) in this run."""
        return self.folder / f"{command}.events.jsonl"

    def info(self) -> dict[str, Any]:
        try:
            doc = json.loads((self.folder / INFO_FILE).read_text())
        except (OSError, ValueError):
            return {}
        return doc if isinstance(doc, dict) else {}

    def update_info(self, **values: Any) -> None:
        _write_private(self.folder / INFO_FILE, json.dumps({**self.info(), **values}, indent=2))

    def claim(self) -> None:
        """This process now runs the run (``apply --plan`` of a plan made by another)."""
        pid = os.getpid()
        self.update_info(pid=pid, process_start=process_start(pid), host=socket.gethostname())

    def record_terraform(self, pid: int) -> None:
        """terraform runs as ``pid``: reconciliation waits for it to end before judging."""
        self.update_info(terraform_pid=pid, terraform_start=process_start(pid))

    def terraform_running(self) -> bool:
        info = self.info()
        if info.get("host") not in (None, socket.gethostname()):
            return False
        pid = info.get("terraform_pid")
        return isinstance(pid, int) and process_alive(pid, str(info.get("terraform_start", "")))

    def exists(self) -> bool:
        return self.folder.is_dir()


def new_run(env_root: Path, kind: str) -> Run:
    """A fresh private run folder; the files of runs that died holding values go first."""
    stamp = wall_clock().strftime("%Y%m%dT%H%M%S%fZ")
    run = Run(env_root, f"{stamp}-{uuid.uuid4().hex[:6]}")
    own_folder(env_root / RUNS_DIR, _top(env_root))
    sweep_dead_runs(env_root)
    run.folder.mkdir(mode=0o700)
    _open_runs.append(run)
    pid = os.getpid()
    run.update_info(
        id=run.id,
        kind=kind,
        host=socket.gethostname(),
        pid=pid,
        process_start=process_start(pid),
        started_at=iso(wall_clock()),
    )
    return run


def find_run(env_root: Path, run_id: str) -> Run | None:
    if not _RUN_ID.match(run_id):
        return None
    run = Run(env_root, run_id)
    return run if run.exists() else None


def point_last_plan(run: Run) -> None:
    """``apply --plan`` takes this run's plan from now on (the one before is spent)."""
    previous = last_plan_run(run.env_root)
    _write_private(run.env_root / LAST_PLAN, run.id + "\n")
    if previous is not None and previous.id != run.id:
        spend_plan(previous)


def spend_last_plan(env_root: Path) -> None:
    """terraform applied something: the saved plan is stale now (and holds secrets)."""
    run = last_plan_run(env_root)
    if run is not None:
        spend_plan(run)


def last_plan_run(env_root: Path) -> Run | None:
    try:
        run_id = (env_root / LAST_PLAN).read_text().strip()
    except OSError:
        return None
    return find_run(env_root, run_id)


def spend_plan(run: Run) -> None:
    """The plan was applied (or is of no use): delete it (it holds secrets) and its pointer."""
    for path in (run.plan_file, run.meta_file):
        path.unlink(missing_ok=True)
    pointer = run.env_root / LAST_PLAN
    with contextlib.suppress(OSError):
        if pointer.read_text().strip() == run.id:
            pointer.unlink()


def finish_run(run: Run, keep: int = KEEP_RUNS) -> None:
    """The run ended: unless ``apply --plan`` may still take its plan, delete the plan; delete
    its var files and review input (all may hold secrets); prune older finished runs."""
    end_run(run)
    prune(run.env_root, keep)


def end_run(run: Run) -> None:
    """Remove the files of ``run`` that hold values by necessity — its var files (inputs/),
    a policy's review input (.plan-review-*.json) and, unless it is the plan ``apply --plan``
    takes, its saved plan — and redact its logs. Safe to call more than once."""
    if run in _open_runs:
        _open_runs.remove(run)
    if not run.folder.is_dir():
        return
    _drop_value_files(run)
    redact_logs(run)
    run.update_info(ended=True)


def _drop_value_files(run: Run) -> None:
    shutil.rmtree(run.inputs_dir, ignore_errors=True)
    for path in run.folder.glob(f"{REVIEW_PREFIX}*"):
        path.unlink(missing_ok=True)
    last = last_plan_run(run.env_root)
    if last is None or last.id != run.id:
        for path in (run.plan_file, run.meta_file):
            path.unlink(missing_ok=True)


def end_open_runs() -> None:
    """The process ends (however the command ended): end every run it started, then the
    runs that died before it, now that this run knows the environment's values."""
    roots = {run.env_root for run in _open_runs}
    for run in list(_open_runs):
        end_run(run)
    for root in sorted(roots):
        sweep_dead_runs(root, final=True)


def sweep_dead_runs(env_root: Path, *, final: bool = False) -> list[str]:
    """The runs of this host whose envman and terraform died (SIGKILL, OOM, a CI runner gone)
    before ending them: their var files, review input and spent plan go; with ``final`` their
    logs are redacted too and they count as ended."""
    folder = env_root / RUNS_DIR
    if not folder.is_dir():
        return []
    swept = []
    for path in sorted(folder.iterdir()):
        run = Run(env_root, path.name)
        if not _RUN_ID.match(path.name) or run in _open_runs or not _dead_here(run):
            continue
        if final:
            end_run(run)
        else:
            _drop_value_files(run)
        swept.append(run.id)
    return swept


def _dead_here(run: Run) -> bool:
    """Started on this host, not ended, and neither its envman nor its terraform is alive."""
    info = run.info()
    if info.get("ended") or info.get("host") not in (None, socket.gethostname()):
        return False
    return not _active(run)


def redact_logs(run: Run) -> None:
    """terraform's event logs and stderr of a finished run, with the run's sensitive values
    replaced (terraform's diagnostics can echo them): what stays on disk holds no secret. Until
    the run ends they are owner-only, like its plan file."""
    if not run.folder.is_dir():
        return
    for path in run.folder.iterdir():
        if path.name.endswith((".jsonl", ".stderr")):
            try:
                redact_file(path)
            except OSError:
                continue


def prune(env_root: Path, keep: int = KEEP_RUNS) -> list[str]:
    """Delete all but the newest ``keep`` runs, never the last plan's or a running one."""
    folder = env_root / RUNS_DIR
    if not folder.is_dir():
        return []
    ids = sorted(p.name for p in folder.iterdir() if _RUN_ID.match(p.name))
    last = last_plan_run(env_root)
    removed = []
    for index, run_id in enumerate(ids):
        run = Run(env_root, run_id)
        if (last is not None and last.id == run_id) or _active(run):
            continue
        if index < len(ids) - keep:
            shutil.rmtree(run.folder, ignore_errors=True)
            removed.append(run_id)
        else:  # kept for its event logs; its plan is spent (and holds secrets)
            run.plan_file.unlink(missing_ok=True)
    return removed


def _active(run: Run) -> bool:
    info = run.info()
    if info.get("host") not in (None, socket.gethostname()):
        return False
    pid = info.get("pid")
    alive = isinstance(pid, int) and process_alive(pid, str(info.get("process_start", "")))
    return alive or run.terraform_running()


def _write_private(path: Path, text: str) -> None:
    write_private(path, text, redacted=False)  # run.json, last-plan: ids and pids only


def _top(env_root: Path) -> Path:
    """envman's top folder (``.envman``) above ``.envman/envs/<env>``."""
    return env_root.parents[1] if env_root.parent.name == "envs" else env_root
