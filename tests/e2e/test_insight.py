"""Provenance, labels, `diff` and `changelog` (docs/insight.md) on a promotion chain in a real
git repository: commits, semantic-version tags, a dirty tree, a CI run.

Both shapes of the parity stack (a single stack, an environment of one component `app`) on a
local ledger; the same scenario on S3 ledgers (a moto server) in test_insight_s3.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.gitrepo import as_json, commit, git, ok, repository
from tests.helpers import need_terraform
from tests.parity import CANARY, SHAPES, Project, Shape, make_project


@pytest.fixture(params=SHAPES, ids=[s.name for s in SHAPES])
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Project:
    need_terraform()
    shape: Shape = request.param
    return make_project(shape, tmp_path)


@pytest.fixture(autouse=True)
def ci_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A GitHub Actions run whose server URL carries credentials (never to be recorded)."""
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://bot:s3cr3t-t0ken@github.example")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/shop")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "2")
    monkeypatch.delenv("GITHUB_REF_TYPE", raising=False)


def image_of(project: Project, record: dict[str, Any]) -> Any:
    if project.shape.component:
        return record["components"]["app"]["inputs"].get("image")
    return record["inputs"].get("image")


def test_labels_provenance_diff_and_changelog(project: Project) -> None:
    first = repository(project)
    ok(project, "apply", "dev", "--yes")
    record = project.record(1)
    assert record["label"] == "v1.0.0"  # the exact semver tag at HEAD
    assert record["git"]["commit"] == first and record["git"]["dirty"] is False
    assert record["git"]["branch"] == "main" and record["git"]["tag"] == "v1.0.0"
    assert record["git"]["commit_time"] == git(project.root, "show", "-s", "--format=%cI")
    assert record["git"]["ci"] == {
        "provider": "github",
        "server": "https://github.example",
        "repository": "acme/shop",
        "run_id": "4242",
        "attempt": "2",
    }
    assert "s3cr3t" not in json.dumps(project.records())

    ok(project, "promote", "staging", "--yes")
    assert project.record(1, "staging")["label"] == "v1.0.0"  # carried from dev #1

    project.tfvars("dev", 'image = "v2"\n')
    second = commit(project.root, "second image", tag="v1.1.0")
    ok(project, "apply", "dev", "--yes")
    assert project.record(2)["label"] == "v1.1.0"

    diff = as_json(project, "diff", "dev", "staging")
    assert diff["promotes"] is True
    [promoted] = diff["promoted"]
    assert (promoted["old"], promoted["new"], promoted["changes"]) == ("v1", "v2", True)
    assert diff["source"]["release"]["label"] == "v1.1.0"
    assert diff["target"]["release"]["label"] == "v1.0.0"
    assert [c["sha"] for c in diff["commits"]["commits"]] == [second]
    assert diff["commits"]["commits"][0]["subject"] == "second image"
    assert diff["source"]["drift"] is None  # never checked
    assert any(name.endswith("secret") for name in diff["sensitive"])
    text = ok(project, "diff", "dev", "staging", "--format", "markdown")
    assert "`v1` → `v2`" in text and "second image" in text and CANARY not in text

    # a dirty tree is recorded; --label names the release
    (project.root / "notes.txt").write_text("work in progress\n")
    ok(project, "promote", "staging", "--yes", "--label", "v1.1.0-rc.1")
    promoted_record = project.record(2, "staging")
    assert promoted_record["label"] == "v1.1.0-rc.1"
    assert promoted_record["git"]["dirty"] is True
    assert image_of(project, promoted_record) == "v2"

    # rollback --to a label: the newest successful release with it, whose label it carries
    ok(project, "rollback", "staging", "--to", "v1.0.0", "--yes")
    back = project.record(3, "staging")
    assert (back["kind"], back["target_seq"], back["label"]) == ("rollback", 1, "v1.0.0")
    assert image_of(project, back) == "v1"

    history = as_json(project, "history", "staging", "--label", "v1.0.0")
    assert [r["seq"] for r in history] == [3, 1]
    table = ok(project, "history", "staging")
    assert "v1.1.0-rc.1" in table
    status = as_json(project, "status", "staging")
    assert status["environments"][0]["current"]["label"] == "v1.0.0"

    notes = as_json(project, "changelog", "staging", "--from", "v1.0.0")
    assert [r["seq"] for r in notes["releases"]] == [3, 2]
    rc, rollback = notes["releases"][1], notes["releases"][0]
    assert [c["new"] for c in rc["changes"]] == ["v2"] and rc["label"] == "v1.1.0-rc.1"
    assert [c["subject"] for c in rc["commits"]["commits"]] == ["second image"]
    assert [(c["old"], c["new"]) for c in rollback["changes"]] == [("v2", "v1")]
    body = ok(project, "changelog", "staging", "--to", "2", "--format", "markdown")
    assert "## v1.1.0-rc.1 — #2 promote" in body and "## v1.0.0 — #1 promote" in body
    assert "| `" in body and "second image" in body and CANARY not in body


def test_label_errors(project: Project) -> None:
    repository(project)
    bad = project.cli("apply", "dev", "--yes", "--label", "v1 2; rm")
    assert bad.exit_code == 1 and "is not a release label" in bad.stderr
    assert not project.ledger().exists()  # refused before anything ran
    assert project.cli("apply", "dev", "--yes", "--label", "12").exit_code == 1  # reads as a seq
    ok(project, "apply", "dev", "--yes", "--label", "nightly-7")
    assert project.record(1)["label"] == "nightly-7"  # --label wins over the tag
    missing = project.cli("rollback", "dev", "--to", "v9.9.9", "--yes")
    assert missing.exit_code == 1 and "no successful release labelled v9.9.9" in missing.stderr
    wrong = project.cli("changelog", "dev", "--from", "1", "--to", "1")
    assert wrong.exit_code == 1 and "is not before" in wrong.stderr
    assert project.cli("diff", "dev", "dev").exit_code == 1
    assert project.cli("diff", "dev", "staging", "--format", "junit").exit_code == 1


def test_without_git_nothing_is_invented(project: Project) -> None:
    ok(project, "apply", "dev", "--yes")
    record = project.record(1)
    assert record.get("label") is None
    assert record["git"]["commit"] is None and "tag" not in record["git"]
    ok(project, "promote", "staging", "--yes")
    diff = as_json(project, "diff", "dev", "staging")
    assert diff["commits"]["known"] is False and diff["promoted"][0]["changes"] is False
    text = ok(project, "changelog", "staging")
    assert "release #1 — #1 promote" in text
