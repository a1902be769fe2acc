"""Ledger faults (issue #7): many concurrent writers, and damaged records in the folder."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from envman.releases.head import record_name
from envman.releases.ledger import Ledger
from envman.releases.models import Status
from envman.releases.store_local import LocalStore
from tests.helpers import Cli

WRITERS = 20


def _writer(folder: str, index: int, barrier: object, results: object) -> None:
    ledger = Ledger(LocalStore(Path(folder)), "staging")
    barrier.wait(timeout=30)  # type: ignore[attr-defined]
    release = ledger.begin(kind="apply", inputs={"writer": index}, actor=f"w{index}")
    release.status = Status.APPLIED
    ledger.save(release)
    results.put((index, release.seq))  # type: ignore[attr-defined]


def test_twenty_concurrent_writers_get_distinct_seqs_none_lost(tmp_path: Path) -> None:
    folder = tmp_path / "staging.tfstate.releases"
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(WRITERS)
    results = context.Queue()
    workers = [
        context.Process(target=_writer, args=(str(folder), i, barrier, results))
        for i in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    got = dict(results.get(timeout=60) for _ in range(WRITERS))
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert sorted(got.values()) == list(range(1, WRITERS + 1))

    ledger = Ledger(LocalStore(folder), "staging")
    records = ledger.records()
    assert ledger.problems == []
    assert [r.seq for r in records] == list(range(1, WRITERS + 1))
    assert {r.inputs["writer"]: r.seq for r in records} == got
    assert all(r.status == "applied" for r in records)
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temp files left


def damage(cli: Cli, project: Path) -> tuple[Path, str]:
    """Release #1 applied (image_tag=v2); #2 truncated JSON (v9); #3 invalid schema (v8)."""
    applied = cli("apply", "staging", "--yes", "--set", "image_tag=v2")
    assert applied.exit_code == 0, applied.output
    folder = project / "state" / "staging.tfstate.releases"
    good = json.loads((folder / record_name(1)).read_text())
    assert good["inputs"]["image_tag"] == "v2"
    text = json.dumps(dict(good, seq=2, inputs={"image_tag": "v9"}), indent=2)
    cut = text[: len(text) // 2]  # a record cut mid-document
    (folder / record_name(2)).write_text(cut)
    bad_schema = dict(good, seq=3, kind="teleport", inputs={"image_tag": "v8"})
    (folder / record_name(3)).write_text(json.dumps(bad_schema))
    return folder, cut


def names_both(stderr: str) -> bool:
    return record_name(2) in stderr and record_name(3) in stderr


def test_history_skips_and_names_damaged_records(cli: Cli, basic_project: Path) -> None:
    damage(cli, basic_project)
    history = cli("history", "staging", "--json")
    assert history.exit_code == 0, history.output
    assert [(r["seq"], r["status"]) for r in json.loads(history.stdout)] == [(1, "applied")]
    assert names_both(history.stderr), history.stderr
    assert "Traceback" not in history.output
    text = cli("history", "staging")
    assert text.exit_code == 0, text.output
    assert names_both(text.stderr), text.stderr


def test_status_skips_and_names_damaged_records(cli: Cli, basic_project: Path) -> None:
    damage(cli, basic_project)
    for args in (("status", "--json"), ("status",), ("status", "staging", "--json")):
        status = cli(*args)
        assert status.exit_code == 0, status.output
        assert "Traceback" not in status.output
        if "--json" in args:
            rows = {r["environment"]: r for r in json.loads(status.stdout)["environments"]}
            assert rows["staging"]["current"]["seq"] == 1
            assert rows["staging"]["current"]["inputs"]["image_tag"] == "v2"
        assert "v9" not in status.stdout and "v8" not in status.stdout
        # the damaged records must be named, as history does (they are silently dropped now)
        assert names_both(status.stderr), f"{args}: stderr={status.stderr!r}"


def test_current_release_skips_damaged_records(cli: Cli, basic_project: Path) -> None:
    folder, cut = damage(cli, basic_project)
    # the current release is still #1: a plain plan pins image_tag=v2, so nothing changes
    plan = cli("plan", "staging", "--json", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert json.loads(plan.stdout)["summary"] == {"add": 0, "change": 0, "destroy": 0, "replace": 0}
    # a new apply allocates past the damaged records without touching them
    again = cli("apply", "staging", "--yes", "--set", "replicas=4")
    assert again.exit_code == 0, again.output
    history = json.loads(cli("history", "staging", "--json").stdout)
    assert [(r["seq"], r["status"]) for r in history] == [(4, "applied"), (1, "applied")]
    assert history[0]["inputs"]["image_tag"] == "v2"
    assert (folder / record_name(2)).read_text() == cut
    outputs = json.loads(cli("outputs", "staging", "--json").stdout)
    assert outputs["image_tag"]["value"] == "v2"
