"""Ledgers written by an older envman are read, promoted from, rolled back to and appended to.

The fixtures (tests/fixtures/ledgers, made by make.py there with envman before the one flow)
hold schema 1 records of a single stack and schema 2 records of an environment of two
components, audit entries of `envman tf -- state rm`, and the state files they refer to. Old
records are converted on read, never rewritten: their bytes are the same after every run.

Before the one flow, [components] of the second test fails: a component rollback does not mark
the release it undoes rolled_back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform

PROJECTS = ("single", "components")


@pytest.fixture(params=PROJECTS)
def old(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    need_terraform()
    name: str = request.param
    # copy_fixture takes a fixture's name relative to tests/fixtures
    return copy_fixture(f"ledgers/{name}", tmp_path)


def component(project: Path) -> str | None:
    return "app" if project.name == "components" else None


def records(project: Path, env: str) -> dict[Path, bytes]:
    """The stored release records and audit entries (the head is an index, not a record)."""
    folder = project / "state" / env / "terraform.tfstate.releases"
    paths = [*folder.glob("0*.json"), *folder.glob("audit/*.json")]
    return {path: path.read_bytes() for path in sorted(paths)}


def part(record: dict[str, Any], name: str | None) -> dict[str, Any]:
    """The record's entry for the stack: the component's with components, else the record."""
    if name is None:
        return record
    entry: dict[str, Any] = (record.get("components") or {}).get(name, {})
    return entry


def image(cli: Cli, project: Path, env: str) -> object:
    name = component(project)
    args = ("-c", name) if name else ()
    result = cli("outputs", env, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["image"]["value"]


def test_old_ledgers_are_read(old: Path) -> None:
    cli, name = Cli(old), component(old)
    for env in ("dev", "staging"):
        stored = [
            json.loads(data) for path, data in records(old, env).items() if "audit" not in str(path)
        ]
        result = cli("history", env, "--json")
        assert result.exit_code == 0, result.output
        releases = [r for r in json.loads(result.stdout) if r.get("seq") is not None]
        assert [(r["seq"], r["kind"], r["status"]) for r in releases] == [
            (r["seq"], r["kind"], r["status"]) for r in reversed(stored)
        ]
        for shown, kept in zip(releases, reversed(stored), strict=True):
            assert part(shown, name).get("inputs") == part(kept, name).get("inputs")
            assert part(shown, name).get("outputs") == part(kept, name).get("outputs")
    audit = [r for r in json.loads(cli("history", "dev", "--json").stdout) if r.get("kind") == "tf"]
    assert [a["command"] for a in audit] == [["state", "rm", "terraform_data.db"]]
    status = cli("status", "dev", "staging", "--json")
    assert status.exit_code == 0, status.output
    rows = {row["environment"]: row for row in json.loads(status.stdout)["environments"]}
    assert (rows["dev"]["current"]["seq"], rows["dev"]["current"]["status"]) == (5, "applied")
    ledger = old / "state" / "dev" / "terraform.tfstate.releases"
    dev_current = json.loads((ledger / "00000005.json").read_text())
    state_file = (
        old / "state" / "dev" / (f"{name}/terraform.tfstate" if name else "terraform.tfstate")
    )
    state = json.loads(state_file.read_text())
    assert part(dev_current, name)["state"]["lineage_after"] == state["lineage"]
    assert image(cli, old, "dev") == "v2"


def test_old_ledgers_are_promoted_from_rolled_back_to_and_appended_to(old: Path) -> None:
    cli = Cli(old)
    before = {env: records(old, env) for env in ("dev", "staging")}
    staging_old = max(
        json.loads(b)["seq"] for p, b in before["staging"].items() if "audit" not in str(p)
    )

    # a new release first, so that going back undoes (and marks rolled_back) a new record
    more = cli("apply", "staging", "--yes", "--set", "replicas=3", "--pin", "replicas")
    assert more.exit_code == 0, more.output
    back = cli("rollback", "staging", "--to", "1", "--yes")  # to an old release
    assert back.exit_code == 0, back.output
    assert image(cli, old, "staging") == "v1"
    promoted = cli("promote", "staging", "--yes")  # from dev's old current release, #5
    assert promoted.exit_code == 0, promoted.output
    assert image(cli, old, "staging") == "v2"
    appended = cli("apply", "dev", "--yes", "--set", f"{'app.' if component(old) else ''}image=v4")
    assert appended.exit_code == 0, appended.output
    undo = cli("rollback", "dev", "--yes")  # back to the old #5
    assert undo.exit_code == 0, undo.output
    assert image(cli, old, "dev") == "v2"

    history = {env: json.loads(cli("history", env, "--json").stdout) for env in ("dev", "staging")}
    staging = [r for r in history["staging"] if (r.get("seq") or 0) > staging_old]
    assert [(r["kind"], r["status"], r.get("target_seq")) for r in reversed(staging)] == [
        ("apply", "rolled_back", None),
        ("rollback", "applied", 1),
        ("promote", "applied", None),
    ]
    assert (staging[0]["source"]["environment"], staging[0]["source"]["seq"]) == ("dev", 5)
    dev = [r for r in history["dev"] if (r.get("seq") or 0) > 5]
    assert [(r["seq"], r["kind"], r["status"]) for r in reversed(dev)] == [
        (6, "apply", "rolled_back"),
        (7, "rollback", "applied"),
    ]
    assert dev[0]["target_seq"] == 5
    expected_schema = 2 if component(old) else 1  # the implicit component writes schema 1
    assert {r["schema"] for r in staging + dev} == {expected_schema}
    # old records are never converted or rewritten; the one change a later run may make is the
    # status of a release a rollback undid (rolled_back), by a conditional update
    for files in before.values():
        for path, data in files.items():
            now = path.read_bytes()
            if now == data:
                continue
            was, is_now = json.loads(data), json.loads(now)
            assert is_now.pop("status") == "rolled_back", f"{path} was rewritten"
            was.pop("status")
            assert is_now == was, f"{path} was rewritten beyond its status"
