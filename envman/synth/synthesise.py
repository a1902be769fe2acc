"""Synthesising a CDK app for one environment, cached by the digest of its sources.

Each synthesis goes to a private temporary folder under the target's ``out_root`` and is
renamed into ``<out_root>/<digest>/`` once complete, so a crash, Ctrl-C or a concurrent run
never leaves a half-written output where a later run would take it for a good one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from envman.lease import process_alive
from envman.secrets.files import own_folder
from envman.synth.app import CdkApp, read_app
from envman.synth.digest import app_digest
from envman.synth.process import AppRun, Redact, SynthError, identity, run_app
from envman.synth.seal import DONE, LOCK_FILE, seal, sealed
from envman.synth.select import StackChoice, choose_stack, put_backend, synthesised_stacks

_TMP = ".tmp-"
_LOCK = ".{}.lock"  # beside the synthesis folder, never one of its outputs


@dataclass(frozen=True)
class SynthTarget:
    """What to synthesise for: an environment, where its outputs live, its backend."""

    environment: str
    out_root: Path  # e.g. .envman/envs/<env>/synth (a component would get its own)
    backend_type: str
    choice: StackChoice


@dataclass(frozen=True)
class SynthOptions:
    redact: Redact = identity  # applied to the app's stderr before it is shown
    on_synth: Callable[[Path], None] | None = None  # told before the app runs (cache miss)
    keep: int = 3  # synthesised outputs kept per target
    timeout: float = 600.0


@dataclass(frozen=True)
class SynthesisedStack:
    app_dir: Path
    out_dir: Path  # the app's whole synthesised output for this digest
    stack_dir: Path  # the chosen stacks/<name>/ folder: where terraform runs
    digest: str
    cached: bool  # True when no synthesis ran

    @property
    def name(self) -> str:
        return self.stack_dir.name


def synthesise(
    app_dir: Path, target: SynthTarget, options: SynthOptions | None = None
) -> SynthesisedStack:
    """The app's stack for the target, synthesised unless an identical synthesis is cached."""
    options = options or SynthOptions()
    app = read_app(app_dir)
    skipped = frozenset({app.output}) if app.output and "/" not in app.output else frozenset()
    digest = app_digest(app_dir, target.environment, skipped)
    out_dir = target.out_root / digest[:24]
    with _exclusive(target.out_root):  # one synthesis of a target at a time (threads too)
        cached = sealed(out_dir)  # complete, and its files as synthesised (never edited)
        if cached:
            with contextlib.suppress(OSError):
                os.utime(out_dir / DONE)  # recently used: kept by pruning
        else:
            if options.on_synth is not None:
                options.on_synth(app_dir)
            _build(app, out_dir, target, options)
        stack_dir = choose_stack(app_dir, synthesised_stacks(out_dir), target.choice)
        put_backend(stack_dir, target.backend_type, target.choice.config_path)
    return SynthesisedStack(app_dir, out_dir, stack_dir, digest, cached)


@contextlib.contextmanager
def _exclusive(root: Path) -> Iterator[None]:
    """An advisory lock on the target's synthesis folder: a second synthesis (another thread,
    another process) waits, then finds the first one's sealed output instead of removing it
    half-way."""
    root.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    own_folder(root, root.parent)  # never through a symlink
    fd = os.open(
        root.parent / _LOCK.format(root.name), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600
    )
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _build(app: CdkApp, out_dir: Path, target: SynthTarget, options: SynthOptions) -> None:
    root = target.out_root
    _remove_dead_temps(root)
    if out_dir.exists():  # half-removed by a pruning, or its files changed: synthesised again
        shutil.rmtree(out_dir, ignore_errors=True)
    tmp = root / f"{_TMP}{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir(mode=0o700)
    try:
        run_app(AppRun(app, tmp, target.environment, options.timeout), options.redact)
        if not synthesised_stacks(tmp):
            raise SynthError(
                f"the CDK app {app.directory} synthesised no stack into CDKTF_OUTDIR",
                hint="create a TerraformStack, call app.synth(), and don't pass outdir to App()",
            )
        _carry_lock_files(_latest_output(root), tmp)
        seal(tmp, out_dir.name)
        try:
            tmp.rename(out_dir)
        except OSError:
            if not sealed(out_dir):  # not a concurrent run that finished first
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    _prune(root, options.keep, out_dir)


def _outputs(root: Path) -> list[Path]:
    """Complete outputs under root, most recently used first."""
    done = [p for p in root.iterdir() if not p.name.startswith(_TMP) and (p / DONE).is_file()]
    return sorted(done, key=lambda p: (p / DONE).stat().st_mtime, reverse=True)


def _latest_output(root: Path) -> Path | None:
    outputs = _outputs(root)
    return outputs[0] if outputs else None


def _carry_lock_files(previous: Path | None, new: Path) -> None:
    """Keep the provider versions terraform locked for the previous synthesis."""
    if previous is None:
        return
    for name, folder in synthesised_stacks(new).items():
        old = previous / "stacks" / name / LOCK_FILE
        if old.is_file() and not (folder / LOCK_FILE).exists():
            shutil.copy2(old, folder / LOCK_FILE)


def _prune(root: Path, keep: int, current: Path) -> None:
    for old in _outputs(root)[max(keep, 1) :]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)


def _remove_dead_temps(root: Path) -> None:
    """Temporary folders of runs that died (kill -9) before renaming their output."""
    for tmp in root.glob(f"{_TMP}*"):
        pid = tmp.name[len(_TMP) :].split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid), ""):
            shutil.rmtree(tmp, ignore_errors=True)
