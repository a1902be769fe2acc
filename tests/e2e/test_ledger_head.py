"""The ledger head object and O(1) reads, on a real moto server and on a local folder.

The head (``head.json``) is a hint: readers must find the right newest record and current
release when it is missing, behind, corrupted or lying, and when writers race. Costs are
asserted as request counts (botocore events), never as times.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from envman.aws.session import client
from envman.config.models import AwsSettings
from envman.releases.head import HEAD, read_head, record_name
from envman.releases.ledger import Ledger
from envman.releases.models import Status
from envman.releases.store import LedgerStore
from envman.releases.store_local import LocalStore
from envman.releases.store_s3 import S3Store

pytestmark = pytest.mark.aws
PREFIX = "dev/terraform.tfstate.releases/"


def _s3_client(url: str) -> Any:
    return client(AwsSettings(endpoint_url=url, region="us-east-1"), "s3")


@pytest.fixture(params=["s3", "local"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> LedgerStore:
    if request.param == "local":
        return LocalStore(tmp_path / "state.tfstate.releases")
    url = request.getfixturevalue("moto")
    s3 = _s3_client(url)
    bucket = f"state-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    return S3Store(s3, bucket, PREFIX)


def _raw_record(seq: int, status: str) -> bytes:
    """A record as another writer (an older envman, another machine) wrote it: no head."""
    doc = {"schema": 1, "environment": "dev", "seq": seq, "kind": "apply", "status": status}
    doc["inputs"] = {"image": f"v{seq}"}
    return json.dumps(doc).encode()


def _write_raw(store: LedgerStore, statuses: list[str], first: int = 1) -> None:
    for offset, status in enumerate(statuses):
        assert store.create(record_name(first + offset), _raw_record(first + offset, status))


def test_missing_head_is_rebuilt_from_the_records(store: LedgerStore) -> None:
    _write_raw(store, ["verified", "applied", "failed"])
    assert store.read(HEAD) is None
    ledger = Ledger(store, "dev")
    current = ledger.current()
    assert current is not None and current.seq == 2
    assert ledger.latest() is not None and ledger.newest_seq() == 3
    head = read_head(store)
    assert head is not None and head.newest_seq == 3


def test_a_head_behind_the_records_is_caught_up(store: LedgerStore) -> None:
    ledger = Ledger(store, "dev")
    first = ledger.begin(kind="apply")
    first.status = Status.APPLIED
    ledger.save(first)
    _write_raw(store, ["applied", "verified", "interrupted"], first=2)  # no head update
    fresh = Ledger(store, "dev")
    current = fresh.current()
    assert current is not None and current.seq == 3
    assert fresh.newest_seq() == 4
    assert fresh.begin(kind="apply").seq == 5


@pytest.mark.parametrize(
    "garbage", [b"{broken", b"[]", b'{"newest_seq": "7"}', b'{"newest_seq": 99}']
)
def test_a_corrupted_or_lying_head_is_never_trusted(store: LedgerStore, garbage: bytes) -> None:
    _write_raw(store, ["applied", "verified"])
    store.replace(HEAD, garbage)
    ledger = Ledger(store, "dev")
    current = ledger.current()
    assert current is not None and current.seq == 2
    assert ledger.begin(kind="apply").seq == 3
    head = read_head(store)
    assert head is not None and head.newest_seq == 3


def test_racing_writers_get_distinct_seqs_and_readers_see_the_newest(store: LedgerStore) -> None:
    Ledger(store, "dev").begin(kind="apply")
    seqs: list[int] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            seqs.append(Ledger(store, "dev").begin(kind="apply").seq)
        except BaseException as exc:  # collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(seqs) == list(range(2, 10))
    assert Ledger(store, "dev").newest_seq() == 9


def test_current_is_the_newest_applied_or_verified_record(store: LedgerStore) -> None:
    _write_raw(store, ["applied", "verified", "verify_failed", "rolled_back", "failed"])
    ledger = Ledger(store, "dev")
    current = ledger.current()
    assert current is not None and current.seq == 2
    target = ledger.previous_successful(current.seq)
    assert target is not None and target.seq == 1
    assert [r.seq for r in ledger.page(3)] == [5, 4, 3]


def test_reads_do_not_grow_with_history(moto: str) -> None:
    """With 150 records, current/latest/history --limit 3 cost a handful of requests."""
    s3 = _s3_client(moto)
    bucket = f"state-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    store = S3Store(s3, bucket, PREFIX)
    _write_raw(store, ["applied"] * 150)
    Ledger(store, "dev").current()  # builds the head once (a full listing)
    calls: Counter[str] = Counter()
    s3.meta.events.register("before-call.s3", lambda model, **_: calls.update([model.name]))
    ledger = Ledger(store, "dev")
    assert ledger.current() is not None and ledger.latest() is not None
    assert len(ledger.page(3)) == 3
    assert calls["GetObject"] <= 4  # head + 3 records, each read once in this run
    assert calls["ListObjectsV2"] == 1  # only what is newer than the head
    assert sum(calls.values()) <= 5


def test_a_release_recorded_elsewhere_between_two_plans_is_picked_up(tmp_path: Path) -> None:
    """No cache of pins outlives a run: another machine's release is seen by the next plan."""
    from tests.helpers import Cli, copy_fixture, need_terraform

    need_terraform()
    project = copy_fixture("basic", tmp_path)
    cli = Cli(project)
    assert (
        cli("apply", "dev", "--set", "image_tag=v2", "--pin", "image_tag", "--yes").exit_code == 0
    )
    first = cli("plan", "dev")
    assert "Pinned from release #1: image_tag=v2" in first.output, first.output
    store = LocalStore(project / "state" / "dev.tfstate.releases")
    elsewhere = json.loads(store.read(record_name(1)) or b"{}")
    elsewhere.update({"seq": 2, "inputs": {"image_tag": "v3"}})
    assert store.create(record_name(2), json.dumps(elsewhere).encode())  # no head update
    second = cli("plan", "dev")
    assert "Pinned from release #2: image_tag=v3" in second.output, second.output


@pytest.mark.parametrize("command", [("status", "dev"), ("history", "dev", "--limit", "10")])
def test_commands_read_a_bounded_number_of_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    """status (with its reconciliation) and history --limit read what they show, never the
    whole history: 300 records, at most a few dozen reads."""
    from tests.helpers import Cli, copy_fixture, need_terraform

    need_terraform()
    project = copy_fixture("basic", tmp_path)
    cli = Cli(project)
    assert cli("apply", "dev", "--yes").exit_code == 0
    store = LocalStore(project / "state" / "dev.tfstate.releases")
    first = json.loads(store.read(record_name(1)) or b"{}")
    for seq in range(2, 301):
        assert store.create(record_name(seq), json.dumps({**first, "seq": seq}).encode())
    reads: list[str] = []
    real_read = LocalStore.read

    def counting_read(self: LocalStore, name: str) -> bytes | None:
        reads.append(name)
        return real_read(self, name)

    monkeypatch.setattr(LocalStore, "read", counting_read)
    result = cli(*command)
    assert result.exit_code == 0, result.output
    assert len([n for n in reads if n[0].isdigit()]) <= 25, len(reads)
