"""The ledger compatibility promise (docs/compatibility.md): this envman reads the release
records of every schema, as earlier versions wrote them, and keeps what a newer one wrote."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from envman.releases.ledger import Ledger
from envman.releases.models import Kind, Release, Status
from envman.releases.store_local import LocalStore
from tests.helpers import FIXTURES, Cli, copy_fixture

LEDGERS = FIXTURES / "ledgers"


def ledger_of(name: str, tmp_path: Path, environment: str) -> Ledger:
    folder = tmp_path / f"{name}.tfstate.releases"
    shutil.copytree(LEDGERS / name, folder)
    return Ledger(LocalStore(folder), environment)


def test_schema_1_records_as_the_first_releases_wrote_them(tmp_path: Path) -> None:
    ledger = ledger_of("schema1", tmp_path, "staging")
    records = ledger.records()
    assert [r.seq for r in records] == [1, 2, 3]
    assert ledger.problems == []
    assert {r.schema_ for r in records} == {1}
    assert records[0].values is None  # written before `values` existed
    assert [r.kind for r in records] == [Kind.APPLY, Kind.APPLY, Kind.ROLLBACK]
    current = ledger.current()
    assert current is not None and current.seq == 3 and current.status is Status.APPLIED
    assert current.rollback_of == 2 and current.envman_version == "0.1.0"


def test_schema_2_records_carry_components(tmp_path: Path) -> None:
    ledger = ledger_of("schema2", tmp_path, "dev")
    current = ledger.current()
    assert current is not None and current.schema_ == 2
    assert current.components is not None
    assert set(current.components) == {"network", "data", "app", "edge"}


def test_a_newer_record_is_read_and_its_fields_kept(tmp_path: Path) -> None:
    ledger = ledger_of("newer", tmp_path, "dev")
    current = ledger.current()
    assert current is not None and current.schema_ == 3
    written = current.to_json()
    assert written["labels"] == ["v2.0"] and written["provenance"] == {"pipeline": "ci-123"}
    original = json.loads((LEDGERS / "newer" / "00000001.json").read_text())
    assert Release.from_json(original).to_json() == original  # nothing lost on a rewrite


@pytest.mark.parametrize("name", ["schema1", "schema2", "newer"])
def test_every_fixture_record_round_trips(name: str) -> None:
    for path in sorted((LEDGERS / name).glob("0*.json")):
        original = json.loads(path.read_text())
        rewritten = Release.from_json(original).to_json()
        assert {k: rewritten[k] for k in original} == original, path.name  # nothing lost
        assert all(rewritten[k] is None for k in set(rewritten) - set(original)), path.name


def test_history_of_a_schema_1_ledger(tmp_path: Path) -> None:
    project = copy_fixture("basic", tmp_path)
    shutil.copytree(LEDGERS / "schema1", project / "state" / "staging.tfstate.releases")
    result = Cli(project)("history", "staging", "--json")
    assert result.exit_code == 0, result.output
    assert [r["seq"] for r in json.loads(result.stdout)] == [3, 2, 1]
