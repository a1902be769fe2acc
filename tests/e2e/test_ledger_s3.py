"""The release ledger and operation lock on S3, against a real moto server (docs/releases.md).

The server is a ``python -m moto.server`` subprocess spoken to over HTTP, so conditional writes
(``If-None-Match: *``) go through the same client code path as against AWS.
"""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from envman.aws.session import client
from envman.config.models import AwsSettings, Backend, EnvironmentConfig
from envman.config.project import Environment
from envman.errors import EnvmanError, LockHeld
from envman.releases import oplock
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import Status
from envman.releases.store_s3 import S3Store
from tests import moto_server

pytestmark = pytest.mark.aws  # against a moto server
WRITERS = 10
PREFIX = "dev/terraform.tfstate.releases/"


@pytest.fixture(scope="module")
def moto_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The session ``moto_server`` of tests/conftest.py when there is one, else our own."""
    try:
        server: Any = request.getfixturevalue("moto_server")
    except pytest.FixtureLookupError:
        url, stop = moto_server.start_moto_server()
        try:
            yield url
        finally:
            stop()
        return
    if isinstance(server, tuple):
        server = server[0]
    yield str(getattr(server, "url", server))


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def s3_client(url: str) -> Any:
    return client(AwsSettings(endpoint_url=url, region="us-east-1"), "s3")


@pytest.fixture
def bucket(moto_url: str) -> str:
    name = f"state-{uuid.uuid4().hex[:12]}"
    s3_client(moto_url).create_bucket(Bucket=name)
    return name


@pytest.fixture
def store(moto_url: str, bucket: str) -> S3Store:
    return S3Store(s3_client(moto_url), bucket, PREFIX)


def test_conditional_create_refuses_an_existing_key(store: S3Store) -> None:
    assert store.read("00000001.json") is None
    assert store.create("00000001.json", b'{"a": 1}') is True
    assert store.create("00000001.json", b'{"a": 2}') is False
    assert store.read("00000001.json") == b'{"a": 1}'
    store.replace("00000001.json", b'{"a": 3}')
    assert store.read("00000001.json") == b'{"a": 3}'
    store.replace("drift/last.json", b"{}")
    assert store.list_names() == ["00000001.json", "drift/last.json"]
    assert store.list_names("drift/") == ["drift/last.json"]
    store.delete("drift/last.json")
    store.delete("drift/last.json")  # absent: not an error
    assert store.list_names() == ["00000001.json"]
    raw = store.client.get_object(Bucket=store.bucket, Key=PREFIX + "00000001.json")
    assert raw["Body"].read() == b'{"a": 3}'


def test_if_none_match_is_enforced_by_the_server(store: S3Store) -> None:
    """Not our code: the raw conditional PUT is refused with 412 PreconditionFailed."""
    from botocore.exceptions import ClientError

    key = PREFIX + "raw.json"
    store.client.put_object(Bucket=store.bucket, Key=key, Body=b"1", IfNoneMatch="*")
    with pytest.raises(ClientError) as caught:
        store.client.put_object(Bucket=store.bucket, Key=key, Body=b"2", IfNoneMatch="*")
    assert caught.value.response["Error"]["Code"] == "PreconditionFailed"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412


def test_ledger_on_s3(store: S3Store) -> None:
    ledger = Ledger(store, "dev")
    first = ledger.begin(kind="apply", inputs={"image": "v1"})
    first.status = Status.VERIFIED
    ledger.save(first)
    second = ledger.begin(kind="promote", inputs={"image": "v2"})
    second.status = Status.APPLIED
    ledger.save(second)
    store.replace("00000003.json", b"{broken")
    ledger = Ledger(store, "dev")  # a Ledger is one run's view: a new run sees the broken record
    current = ledger.current()
    assert current is not None and current.seq == 2
    assert len(ledger.problems) == 1
    assert ledger.problems[0].startswith(
        f"s3://{store.bucket}/{PREFIX}00000003.json: invalid record (not JSON: "
    )
    assert ledger.problems[0].endswith("), skipped")
    target = ledger.previous_successful(current.seq)
    assert target is not None and target.inputs == {"image": "v1"}
    assert ledger.begin(kind="apply").seq == 4
    ledger.write_doc("drift/baseline.json", {"ignored": ["a.b"]})
    assert ledger.read_doc("drift/baseline.json") == {"ignored": ["a.b"]}


def test_concurrent_writers_get_distinct_seqs(moto_url: str, bucket: str) -> None:
    stores = [S3Store(s3_client(moto_url), bucket, PREFIX) for _ in range(WRITERS)]
    barrier = threading.Barrier(WRITERS)
    seqs: list[int] = []
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            ledger = Ledger(stores[index], "dev")
            barrier.wait()
            seqs.append(ledger.begin(kind="apply", inputs={"writer": index}).seq)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(seqs) == list(range(1, WRITERS + 1))
    ledger = Ledger(stores[0], "dev")
    records = ledger.records()
    assert ledger.problems == []
    assert [r.seq for r in records] == list(range(1, WRITERS + 1))
    assert sorted(r.inputs["writer"] for r in records) == list(range(WRITERS))


def test_dead_endpoint_is_one_clear_line() -> None:
    url = f"http://127.0.0.1:{moto_server.free_port()}"  # nothing listens there
    store = S3Store(s3_client(url), "state-bucket", PREFIX)
    for action in (
        lambda: store.read("00000001.json"),
        store.list_names,
        lambda: store.create("00000001.json", b"{}"),
    ):
        with pytest.raises(EnvmanError) as caught:
            action()
        error = caught.value
        assert type(error) is EnvmanError
        assert "\n" not in str(error)
        assert "s3://state-bucket/dev/terraform.tfstate.releases/" in error.message
        assert f"cannot connect to the S3 endpoint {url}" in error.message
        assert error.hint and "endpoint_url" in error.hint
        assert error.__cause__ is None and error.__suppress_context__


def test_missing_bucket_is_one_clear_line(moto_url: str) -> None:
    store = S3Store(s3_client(moto_url), "no-such-bucket-here", PREFIX)
    with pytest.raises(EnvmanError, match="NoSuchBucket") as caught:
        store.read("00000001.json")
    assert "s3://no-such-bucket-here/" in caught.value.message
    assert caught.value.hint and "create the bucket" in caught.value.hint
    with pytest.raises(EnvmanError, match="NoSuchBucket"):
        Ledger(store, "dev").begin(kind="apply")


def test_oplock_over_s3(store: S3Store) -> None:
    with oplock.acquire(store, "apply", "alice", environment="dev") as lock:
        with pytest.raises(LockHeld) as caught:
            oplock.acquire(store, "rollback", "bob", environment="dev")
        assert caught.value.message.startswith(
            f"environment 'dev' is locked by apply of alice on {socket.gethostname()} (pid "
        )
        assert f"envman unlock dev {lock.id} --confirm dev" in (caught.value.hint or "")
        assert store.list_names() == ["lock.json"]
    assert store.read("lock.json") is None

    stale = {
        "id": "old",
        "operation": "apply",
        "actor": "carol",
        "host": socket.gethostname(),
        "pid": 2**22 + 12345,
        "started_at": "x",
    }
    assert store.create("lock.json", json.dumps(stale).encode())
    with oplock.acquire(store, "apply", "alice") as lock:
        holder = oplock.holder(store)
        assert holder is not None and holder.id == lock.id
    assert oplock.holder(store) is None


def test_store_for_an_s3_environment(moto_url: str, bucket: str, tmp_path: Path) -> None:
    env = Environment(
        name="dev",
        directory=tmp_path,
        config_path=tmp_path / "environment.hcl",
        config=EnvironmentConfig(
            backend=Backend(type="s3", config={"bucket": bucket, "key": "dev/terraform.tfstate"}),
            aws=AwsSettings(endpoint_url=moto_url, region="us-east-1"),
        ),
        stack_dir=tmp_path,
        project_root=tmp_path,
    )
    ledger = Ledger(store_for(env), "dev")
    assert ledger.describe() == f"s3://{bucket}/{PREFIX}"
    assert ledger.begin(kind="apply").seq == 1
    raw = s3_client(moto_url).list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in raw["Contents"]] == [f"{PREFIX}00000001.json", f"{PREFIX}head.json"]
