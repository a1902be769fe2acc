"""Run folders, event logs, the lease's judgement of holders, conditional documents."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

import pytest

from envman.config.models import EnvironmentConfig
from envman.config.paths import CONFIG_CACHE
from envman.config.project import Environment
from envman.errors import EXIT_INTERRUPTED, Interrupted, LockHeld
from envman.lease import boot_id, process_alive, process_start
from envman.protect import confirm
from envman.releases import oplock
from envman.releases.ledger import Ledger
from envman.releases.store_local import LocalStore
from envman.runs.events import read_outcome
from envman.runs.folder import last_plan_run, new_run, point_last_plan, prune
from envman.runs.legacy import migrate


def test_ctrl_c_at_the_typed_confirmation_is_an_interrupt(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        def readline(self) -> str:
            raise KeyboardInterrupt

    monkeypatch.setattr(sys, "stdin", Stdin())
    with pytest.raises(Interrupted) as caught:
        confirm.confirm_change("prod", True, confirm.ConfirmOptions(), "apply", interactive=True)
    assert caught.value.exit_code == EXIT_INTERRUPTED


@pytest.mark.parametrize("name", ["cache", "terraformrc", "demo", "envs"])
def test_environment_folders_never_collide_with_envmans_own(tmp_path: Path, name: str) -> None:
    env = Environment(name, tmp_path, tmp_path / "e.hcl", EnvironmentConfig(), tmp_path, tmp_path)
    own = {tmp_path / ".envman" / p for p in ("cache", "terraformrc", "emulator.json", "envs")}
    assert env.work_dir == tmp_path / ".envman" / "envs" / name
    assert (
        env.work_dir not in own
        and (tmp_path / ".envman" / CONFIG_CACHE) not in env.work_dir.parents
    )
    assert env.data_dir == env.work_dir / "terraform"


def test_old_folder_is_moved_and_its_saved_plan_kept(tmp_path: Path) -> None:
    legacy = tmp_path / ".envman" / "dev"
    (legacy / "terraform").mkdir(parents=True)
    (legacy / "init.fingerprint").write_text("abc\n")
    (legacy / "plan.tfplan").write_bytes(b"plan")
    (legacy / "plan.meta.json").write_text("{}")
    (legacy / "inputs").mkdir()
    (legacy / "inputs" / "set.tfvars.json").write_text('{"token": "secret"}')
    target = tmp_path / ".envman" / "envs" / "dev"
    assert migrate(legacy, target, "dev")
    assert not legacy.exists() and (target / "init.fingerprint").read_text() == "abc\n"
    assert not (target / "inputs").exists()
    run = last_plan_run(target)
    assert run is not None and run.plan_file.read_bytes() == b"plan"
    # envman's own folders are never taken for an environment's
    (tmp_path / ".envman" / "cache" / "terraform").mkdir(parents=True)
    assert not migrate(
        tmp_path / ".envman" / "cache", tmp_path / ".envman" / "envs" / "cache", "cache"
    )


def test_runs_are_private_and_pruned_keeping_the_last_plan(tmp_path: Path) -> None:
    root = tmp_path / "env"
    runs = [new_run(root, "plan") for _ in range(6)]
    assert len({r.id for r in runs}) == 6
    assert all(oct(r.folder.stat().st_mode & 0o777) == "0o700" for r in runs)
    for run in runs:  # finished runs of a process that is gone
        run.update_info(pid=dead_pid(), process_start="")
        run.plan_file.write_bytes(b"secret plan")
    point_last_plan(runs[0])
    removed = prune(root, keep=2)
    assert removed == [r.id for r in runs[1:4]]
    assert runs[0].plan_file.exists()  # apply --plan may still take it
    assert [r.exists() for r in runs] == [True, False, False, False, True, True]
    assert not runs[4].plan_file.exists()  # spent plans of kept runs are deleted


def events(tmp_path: Path, *lines: Mapping[str, object]) -> Path:
    path = tmp_path / "apply.events.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines) + '{"cut sho')
    return path


def test_apply_outcome_from_the_event_log(tmp_path: Path) -> None:
    done = {"type": "apply_complete", "hook": {}}
    summary = {"type": "change_summary", "changes": {"operation": "apply", "add": 1}}
    outputs = {
        "type": "outputs",
        "outputs": {"tag": {"value": "v2"}, "token": {"sensitive": True, "value": "s"}},
    }
    applied = read_outcome(events(tmp_path, done, summary, outputs))
    assert applied is not None and applied.status == "applied"
    assert applied.outputs == {"tag": "v2", "token": {"sensitive": True}}
    error = {"type": "diagnostic", "diagnostic": {"severity": "error", "summary": "boom"}}
    failed = read_outcome(events(tmp_path, done, error))
    assert failed is not None and (failed.status, failed.error) == ("failed", "boom")
    stopped = read_outcome(events(tmp_path, done))
    assert stopped is not None and stopped.status == "interrupted" and stopped.completed == 1
    assert read_outcome(tmp_path / "missing.jsonl") is None


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def holder_doc(**fields: object) -> bytes:
    doc = {
        "id": "old",
        "operation": "apply",
        "actor": "carol",
        "host": socket.gethostname(),
        "pid": os.getppid(),  # alive, and not us
        "started_at": "2026-01-01T00:00:00Z",
        "process_start": process_start(os.getppid()),
        "boot_id": boot_id(),
        "expires_at": "2099-01-01T00:00:00Z",
    }
    return json.dumps({**doc, **fields}).encode()


def test_process_identity_includes_its_start_time() -> None:
    me, start = os.getpid(), process_start(os.getpid())
    assert process_alive(me, start)
    assert not process_alive(me, str(int(start or 0) + 1))  # same pid, another process
    assert not process_alive(dead_pid(), "")


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"pid": 1, "process_start": "1"}, "its process is gone"),  # pid reused by another
        ({"boot_id": "another-boot"}, "its host has rebooted since"),
        ({"host": "elsewhere", "expires_at": "2026-01-01T00:00:00Z"}, "its lease expired"),
    ],
)
def test_gone_or_expired_holders_are_taken_over_with_a_note(
    tmp_path: Path, fields: dict[str, object], why: str
) -> None:
    store = LocalStore(tmp_path)
    assert store.create("lock.json", holder_doc(**fields))
    notes: list[str] = []
    with oplock.acquire(store, "apply", "alice", on_note=notes.append) as lock:
        assert len(notes) == 1 and why in notes[0] and "apply of carol" in notes[0]
        current = oplock.holder(store)
        assert current is not None and current.id == lock.id


def test_a_live_holder_or_its_running_terraform_keeps_the_lock(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        dead = dead_pid()
        doc = holder_doc(
            pid=dead,
            process_start="",
            child_pid=sleeper.pid,
            child_start=process_start(sleeper.pid),
            expires_at="2026-01-01T00:00:00Z",  # expired, but terraform still runs here
        )
        assert store.create("lock.json", doc)
        with pytest.raises(LockHeld, match=f"terraform \\(pid {sleeper.pid}\\)"):
            oplock.acquire(store, "apply", "alice", environment="dev")
    finally:
        sleeper.kill()
        sleeper.wait()
    with oplock.acquire(store, "apply", "alice", on_note=lambda _line: None):
        pass


def test_renewal_moves_the_expiry_and_records_terraform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVMAN_LOCK_LEASE_SECONDS", "600")
    store = LocalStore(tmp_path)
    with oplock.acquire(store, "apply", "alice") as lock:
        before = lock.info.expires_at
        lock.attach_child(os.getpid())
        current = oplock.holder(store)
        assert current is not None and current.child_pid == os.getpid()
        assert current.expires_at >= before and current.id == lock.id
    assert oplock.holder(store) is None


def test_concurrent_document_updates_are_all_kept(tmp_path: Path) -> None:
    ledger = Ledger(LocalStore(tmp_path), "dev")

    def add(n: int) -> None:
        ledger.update_doc("drift/baseline.json", lambda d: {"n": [*(d or {}).get("n", []), n]})

    threads = [threading.Thread(target=add, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    doc = ledger.read_doc("drift/baseline.json")
    assert doc is not None and sorted(doc["n"]) == list(range(20))


def test_status_updates_are_conditional(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    ledger = Ledger(store, "dev")
    release = ledger.begin(kind="apply")
    found = store.read_versioned("00000001.json")
    assert found is not None
    ledger.update(1, {"status": "applied"})
    assert not store.replace_if("00000001.json", b"{}", found.version)  # a stale writer loses
    updated = ledger.update(release.seq, {"note": "x"})
    assert updated is not None and updated.status == "applied"


def test_second_interrupt_says_terraform_is_still_stopping(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import signal

    from envman.terraform import signals

    ignores_sigint = (
        "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(30)"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", ignores_sigint], start_new_session=True, stdout=subprocess.PIPE
    )
    assert child.stdout is not None and child.stdout.readline() == b"ready\n"  # handler set
    signals.register(child)
    try:
        signals._handle(signal.SIGINT, None)  # forwarded to its process group
        assert signals.interrupted() and capsys.readouterr().err == ""
        signals._handle(signal.SIGINT, None)  # not forwarded again: it is still stopping
        assert f"still stopping: terraform (pid {child.pid})" in capsys.readouterr().err
        assert child.poll() is None
    finally:
        signals.unregister(child)
        signals.reset()
        child.kill()
        child.wait()
