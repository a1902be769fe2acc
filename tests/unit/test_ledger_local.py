"""The release ledger and operation lock on a LocalStore (docs/releases.md)."""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from envman.config.models import Backend, EnvironmentConfig
from envman.config.project import Environment
from envman.errors import ConfigError, EnvmanError, LockHeld
from envman.releases import oplock
from envman.releases.head import record_name
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.lockinfo import UNREADABLE
from envman.releases.models import Status
from envman.releases.store import LedgerStore
from envman.releases.store_local import LocalStore

WRITERS = 10


def ledger_in(folder: Path, env: str = "dev") -> Ledger:
    return Ledger(LocalStore(folder), env)


def finish(ledger: Ledger, seq: int, status: str) -> None:
    release = ledger.get(seq)
    release.status = status  # type: ignore[assignment]
    ledger.save(release)


# -- store -------------------------------------------------------------------------------------


def test_create_is_exclusive_and_never_overwrites(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "state.tfstate.releases")
    assert store.read("00000001.json") is None
    assert store.create("00000001.json", b'{"a": 1}') is True
    assert store.create("00000001.json", b'{"a": 2}') is False
    assert store.read("00000001.json") == b'{"a": 1}'
    store.replace("00000001.json", b'{"a": 3}')
    assert store.read("00000001.json") == b'{"a": 3}'
    assert store.list_names() == ["00000001.json"]  # no temp files left behind
    assert [p.name for p in store.folder.iterdir()] == ["00000001.json"]


def test_nested_names_list_and_delete(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "r")
    store.replace("drift/last.json", b"{}")
    assert store.create("lock.json", b"{}")
    assert store.list_names() == ["drift/last.json", "lock.json"]
    assert store.list_names("drift/") == ["drift/last.json"]
    store.delete("lock.json")
    store.delete("lock.json")  # absent: not an error
    assert store.list_names() == ["drift/last.json"]
    assert store.describe().endswith(f"r{os.sep}")
    with pytest.raises(EnvmanError):
        store.read("../escape.json")


# -- ledger ------------------------------------------------------------------------------------


def test_begin_save_current_previous_successful(tmp_path: Path) -> None:
    ledger = ledger_in(tmp_path)
    assert ledger.records() == [] and ledger.current() is None and ledger.latest() is None

    first = ledger.begin(kind="apply", inputs={"image": "v1"}, actor="alice")
    assert (first.seq, first.status, first.environment) == (1, "applying", "dev")
    assert first.started_at
    assert ledger.current() is None  # applying is not a release yet
    first.status = Status.VERIFIED
    ledger.save(first)

    second = ledger.begin(kind="apply", inputs={"image": "v2"})
    finish(ledger, second.seq, "applied")
    third = ledger.begin(kind="apply", inputs={"image": "v3"})
    finish(ledger, third.seq, "failed")
    fourth = ledger.begin(kind="promote", inputs={"image": "v4"})
    finish(ledger, fourth.seq, "verified")

    assert [r.seq for r in ledger.records()] == [1, 2, 3, 4]
    current = ledger.current()
    assert current is not None and current.seq == 4 and current.inputs == {"image": "v4"}
    latest = ledger.latest()
    assert latest is not None and latest.seq == 4

    target = ledger.previous_successful(current.seq)
    assert target is not None and target.seq == 2  # 3 failed: skipped
    finish(ledger, 2, "rolled_back")
    target = ledger.previous_successful(current.seq)
    assert target is not None and target.seq == 1
    assert ledger.previous_successful(1) is None

    on_disk = json.loads((tmp_path / record_name(1)).read_text())
    assert on_disk["schema"] == 1 and on_disk["seq"] == 1 and on_disk["status"] == "verified"
    assert record_name(1) == "00000001.json"


def test_get_missing_release_is_an_error(tmp_path: Path) -> None:
    ledger = ledger_in(tmp_path)
    ledger.begin(kind="apply")
    assert ledger.get(1).seq == 1
    with pytest.raises(EnvmanError, match="has no release 7"):
        ledger.get(7)


def test_invalid_records_are_skipped_and_named(tmp_path: Path) -> None:
    ledger = ledger_in(tmp_path)
    ledger.begin(kind="apply")
    finish(ledger, 1, "applied")
    (tmp_path / "00000002.json").write_text("{not json")
    (tmp_path / "00000003.json").write_text(json.dumps({"seq": 3, "environment": "dev"}))
    (tmp_path / "notes.txt").write_text("ignored: not a record name")

    records = ledger.records()
    assert [r.seq for r in records] == [1]
    assert len(ledger.problems) == 2
    assert "00000002.json: invalid record (" in ledger.problems[0]
    assert "00000003.json: invalid record (" in ledger.problems[1]
    assert ledger.problems[0].startswith(str(tmp_path)) and ledger.problems[0].endswith("skipped")
    current = ledger.current()
    assert current is not None and current.seq == 1

    # A broken record still holds its number: the next release is 4.
    assert ledger.begin(kind="apply").seq == 4


def test_docs_round_trip(tmp_path: Path) -> None:
    ledger = ledger_in(tmp_path)
    assert ledger.read_doc("drift/last.json") is None
    ledger.write_doc("drift/last.json", {"drifted": True, "resources": ["a"]})
    ledger.write_doc("drift/last.json", {"drifted": False})
    assert ledger.read_doc("drift/last.json") == {"drifted": False}
    (tmp_path / "drift" / "baseline.json").write_text("[1, 2]")
    assert ledger.read_doc("drift/baseline.json") is None
    assert any("baseline.json" in p for p in ledger.problems)
    assert [r.seq for r in ledger.records()] == []  # docs are not records


def test_concurrent_writers_threads(tmp_path: Path) -> None:
    barrier = threading.Barrier(WRITERS)
    seqs: list[int] = []

    def writer(index: int) -> None:
        ledger = ledger_in(tmp_path)
        barrier.wait()
        seqs.append(ledger.begin(kind="apply", inputs={"writer": index}).seq)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert_all_recorded(ledger_in(tmp_path), seqs)  # a failed writer leaves a seq missing


def _process_writer(
    folder: str, start: str, index: int, results: multiprocessing.Queue[int]
) -> None:
    deadline = time.monotonic() + 30
    while not os.path.exists(start) and time.monotonic() < deadline:
        time.sleep(0.001)
    release = ledger_in(Path(folder)).begin(kind="apply", inputs={"writer": index})
    results.put(release.seq)


def test_concurrent_writers_processes(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[int] = context.Queue()
    start = tmp_path / "go"
    folder = tmp_path / "releases"
    workers = [
        context.Process(target=_process_writer, args=(str(folder), str(start), i, results))
        for i in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    time.sleep(0.5)  # let the children import and wait at the start line
    start.touch()
    seqs = [results.get(timeout=60) for _ in range(WRITERS)]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert_all_recorded(ledger_in(folder), seqs)


def assert_all_recorded(ledger: Ledger, seqs: list[int]) -> None:
    assert sorted(seqs) == list(range(1, WRITERS + 1))
    records = ledger.records()
    assert ledger.problems == []
    assert [r.seq for r in records] == list(range(1, WRITERS + 1))
    assert sorted(r.inputs["writer"] for r in records) == list(range(WRITERS))


# -- operation lock ----------------------------------------------------------------------------


def test_lock_held_names_the_holder(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    with oplock.acquire(store, "apply", "alice", environment="prod") as lock:
        assert store.read("lock.json") is not None
        with pytest.raises(LockHeld) as caught:
            oplock.acquire(store, "promote", "bob", environment="prod")
        error = caught.value
        assert error.message == (
            f"environment 'prod' is locked by apply of alice on {socket.gethostname()} "
            f"(pid {os.getpid()}) since {lock.info.started_at}"
        )
        assert error.hint == (
            f"wait for it to finish, or if it crashed: envman unlock prod {lock.id} --confirm prod"
        )
        assert "\n" not in str(error)
    assert store.read("lock.json") is None  # released on exit
    with oplock.acquire(store, "apply", "bob"):
        pass


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def write_lock(store: LedgerStore, host: str, pid: int) -> None:
    doc = {
        "id": "old",
        "operation": "apply",
        "actor": "carol",
        "host": host,
        "pid": pid,
        "started_at": "2024-01-01T00:00:00Z",
    }
    assert store.create("lock.json", json.dumps(doc).encode())


def test_stale_lock_of_dead_pid_on_this_host_is_taken_over(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    write_lock(store, socket.gethostname(), dead_pid())
    with oplock.acquire(store, "apply", "alice", environment="dev") as lock:
        holder = oplock.holder(store)
        assert holder is not None and holder.id == lock.id != "old"
        assert holder.actor == "alice"


def test_lock_of_another_host_is_not_taken_over(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    write_lock(store, "some-other-host", dead_pid())
    with pytest.raises(LockHeld, match="locked by apply of carol on some-other-host"):
        oplock.acquire(store, "apply", "alice", environment="dev")
    assert oplock.force_release(store, "wrong-id") is False
    assert oplock.force_release(store, "old") is True
    assert store.read("lock.json") is None


def test_release_keeps_a_lock_that_is_no_longer_ours(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    first = oplock.acquire(store, "apply", "alice")
    assert oplock.force_release(store, first.id)
    second = oplock.acquire(store, "apply", "bob")
    first.release()
    holder = oplock.holder(store)
    assert holder is not None and holder.id == second.id
    second.release()
    assert oplock.holder(store) is None


def test_unreadable_lock_is_held(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    assert store.create("lock.json", b"garbage")
    with pytest.raises(LockHeld, match="unreadable"):
        oplock.acquire(store, "apply", "alice", environment="dev")
    assert oplock.force_release(store, UNREADABLE)


# -- locate ------------------------------------------------------------------------------------


def environment(tmp_path: Path, backend: Backend | None) -> Environment:
    return Environment(
        name="dev",
        directory=tmp_path / "environments" / "dev",
        config_path=tmp_path / "environments" / "dev" / "environment.hcl",
        config=EnvironmentConfig(backend=backend),
        stack_dir=tmp_path / "terraform",
        project_root=tmp_path,
    )


def test_store_for_local_backend(tmp_path: Path) -> None:
    env = environment(tmp_path, Backend(type="local", config={"path": "state/dev.tfstate"}))
    store = store_for(env)
    assert isinstance(store, LocalStore)
    assert store.folder == (tmp_path / "state" / "dev.tfstate.releases").resolve()


def test_store_for_s3_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from envman.releases.store_s3 import S3Store

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    config = {"bucket": "tf-state", "key": "dev/terraform.tfstate", "region": "eu-west-1"}
    store = store_for(environment(tmp_path, Backend(type="s3", config=config)))
    assert isinstance(store, S3Store)
    assert store.describe() == "s3://tf-state/dev/terraform.tfstate.releases/"
    assert store.client.meta.region_name == "eu-west-1"


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        (None, "has no backend block"),
        (Backend(type="local"), 'set backend "local"'),
        (Backend(type="s3", config={"bucket": "b"}), "needs bucket and key"),
        (Backend(type="gcs", config={"bucket": "b"}), "need an s3 or local backend"),
    ],
)
def test_store_for_refuses(tmp_path: Path, backend: Backend | None, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected) as caught:
        store_for(environment(tmp_path, backend))
    assert "environment.hcl" in str(caught.value)
