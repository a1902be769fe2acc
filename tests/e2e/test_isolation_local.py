"""Environments are isolated: two whose states (or ledgers) coincide are refused before any
terraform run, and a record copied into a ledger from another environment's is refused as
foreign and never becomes current. Real terraform on the basic fixture, local backends."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from envman.errors import EnvmanError
from envman.releases.ledger import Ledger
from envman.releases.store_local import LocalStore
from tests.helpers import Cli, copy_fixture, need_terraform


@pytest.fixture
def project(tmp_path: Path) -> Path:
    need_terraform()
    return copy_fixture("basic", tmp_path)


def ledger_dir(project: Path, env: str) -> Path:
    return project / "state" / f"{env}.tfstate.releases"


def test_two_environments_on_one_state_are_refused_before_terraform(project: Path) -> None:
    cli = Cli(project)
    built = cli("apply", "dev", "--yes")
    assert built.exit_code == 0, built.output
    dev_state = (project / "state" / "dev.tfstate").read_bytes()
    hcl = project / "environments" / "staging" / "environment.hcl"
    hcl.write_text(hcl.read_text().replace("state/staging.tfstate", "state/dev.tfstate"))
    line = next(i for i, row in enumerate(hcl.read_text().splitlines(), 1) if "path" in row)
    for command in (("validate",), ("plan", "staging"), ("apply", "staging", "--yes")):
        result = cli(*command)
        assert result.exit_code == 1, result.output
        assert f"staging/environment.hcl:{line}: environment 'staging' and environment 'dev' " in (
            result.output
        )
        assert f"have the same state {project / 'state' / 'dev.tfstate'}" in result.output
    assert (project / "state" / "dev.tfstate").read_bytes() == dev_state
    assert [p.name for p in ledger_dir(project, "dev").glob("0*.json")] == ["00000001.json"]
    assert not (project / ".envman" / "envs" / "staging").exists()


def test_a_record_copied_from_another_ledger_is_foreign(project: Path) -> None:
    cli = Cli(project)
    for env in ("dev", "staging"):
        applied = cli("apply", env, "--yes")
        assert applied.exit_code == 0, applied.output
    dev, staging = ledger_dir(project, "dev"), ledger_dir(project, "staging")
    shutil.copy(staging / "00000001.json", dev / "00000002.json")  # staging's, as dev's #2
    renumbered = json.loads((staging / "00000001.json").read_text()) | {"seq": 3}
    (dev / "00000003.json").write_text(json.dumps(renumbered))  # and renumbered to fit
    shutil.copy(dev / "00000001.json", dev / "00000004.json")  # dev's own #1, as #4

    ledger = Ledger(LocalStore(dev), "dev")
    assert [r.seq for r in ledger.records()] == [1]
    current = ledger.current()
    assert current is not None and current.seq == 1 and current.environment == "dev"
    assert len(ledger.problems) == 3
    assert ledger.problems[0] == (
        f"{dev}/00000002.json: foreign record (it says environment 'staging', seq 1; "
        "stored as 'dev' seq 2), skipped"
    )
    assert "it says environment 'staging', seq 3;" in ledger.problems[1]
    assert "it says environment 'dev', seq 1; stored as 'dev' seq 4" in ledger.problems[2]
    with pytest.raises(EnvmanError, match="foreign record"):
        ledger.update(2, {"status": "rolled_back"})
    assert json.loads((dev / "00000002.json").read_text())["status"] == "applied"

    history = cli("history", "dev")
    assert history.exit_code == 0, history.output
    assert "00000003.json: foreign record (it says environment 'staging'" in history.stderr
    status = cli("status", "dev", "--json")
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["environments"][0]["current"]["seq"] == 1
    again = cli("apply", "dev", "--yes", "--set", "image_tag=v2")  # after every number taken
    assert again.exit_code == 0, again.output
    record = json.loads((dev / "00000005.json").read_text())
    assert record["environment"] == "dev" and record["seq"] == 5
