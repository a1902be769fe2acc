"""`envman metrics` on a synthetic ledger written as JSON files, answers computed by hand
(docs/metrics.md). No terraform: the records are the input, the CLI reads them as it reads any
local ledger.

Production, window 2026-11-01 to 2026-12-01 (30 days), promoted from staging:

====  ========  =============  =========================  ================================
seq   kind      status         finished (real)            what it is
====  ========  =============  =========================  ================================
1     promote   verified       11-03 10:10 (staging#1)    deployment
2     promote   verify_failed  11-10 10:10 (staging#2)    failed; rolled back automatically
3     rollback  verified       11-10 10:20 (of 2, to 1)   restores 2 after 600 s
4     promote   rolled_back    11-17 10:10 (staging#3)    failed: rolled back by hand
5     rollback  verified       11-17 12:10 (of 4, to 3)   restores 4 after 7200 s
6     promote   verified       11-21 09:10 (staging#4)    failed: followed by a hotfix
7     apply     verified       11-21 15:10 (bypass)       the hotfix: restores 6 after 21600 s
8     apply     verified       11-25 08:05 (clock: 10-01) in the window on the real clock
9     apply     failed         11-28 10:03                failed: apply failed; still open
10    apply     interrupted    11-29                      not counted
====  ========  =============  =========================  ================================

Deployments 1 2 4 6 7 8 9 = 7 → 7/30 per day (1.63/week): high. Failed 2 4 6 9 = 4/7 = 57 %:
low. Restores 600, 7200, 21600 s → median 7200 s (2 h): high; one open. Lead time (no git
checkout: from the start of the release that first carried the values, up the promotion chain):
promotions 1 2 4 measure 24h10m = 87000 s from staging's start, 6 measures 23h10m = 83400 s;
applies 7, 8, 9 their own 600, 300, 180 s → median 83400 s: high. Two audit entries, never
deployments.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli, copy_fixture
from tests.synthetic_ledger import DEV, NOW, PRODUCTION, STAGING, audit, write


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = copy_fixture("basic", tmp_path)
    audit(write(root, "production", PRODUCTION), 2)
    write(root, "staging", STAGING)
    write(root, "dev", DEV)
    monkeypatch.setenv("ENVMAN_NOW", NOW)
    return root


def _metrics(project: Path, *args: str) -> dict[str, Any]:
    result = Cli(project)("metrics", *args, "--days", "30", "--json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _env(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [e for e in document["environments"] if e["environment"] == name]
    assert len(found) == 1
    return found[0]


def test_production_figures_are_the_ones_computed_by_hand(project: Path) -> None:
    document = _metrics(project, "production")
    assert document["window"] == {"since": "2026-11-01T00:00:00Z", "until": NOW, "days": 30.0}
    assert [e["environment"] for e in document["environments"]] == ["production"]
    prod = _env(document, "production")
    assert prod["deployment_frequency"] == {
        "deployments": 7,
        "per_day": round(7 / 30, 4),
        "per_week": round(7 / 30 * 7, 3),
        "band": "high",
    }
    assert prod["change_failure_rate"] == {
        "rate": round(4 / 7, 4),
        "failed": 4,
        "deployments": 7,
        "band": "low",
    }
    assert prod["time_to_restore"] == {
        "median_seconds": 7200.0,
        "restored": 3,
        "open": 1,
        "band": "high",
    }
    lead = prod["lead_time"]
    assert lead["median_seconds"] == 83400.0
    assert (lead["samples"], lead["from_commits"], lead["from_first_release"]) == (7, 0, 7)
    assert (lead["basis"], lead["band"]) == ("first release", "high")
    failures = {
        f["seq"]: (f["reason"], f["restored_by"], f["restore_seconds"]) for f in prod["failures"]
    }
    assert failures == {
        2: ("verification failed, rolled back automatically", 3, 600.0),
        4: ("rolled back by hand", 5, 7200.0),
        6: ("followed by a hotfix", 7, 21600.0),
        9: ("apply failed", None, None),
    }
    assert prod["also"] == {
        "rollbacks": 2,
        "destroys": 0,
        "not_counted": 1,
        "audit_entries": 2,
        "clock_overrides": 1,
    }
    weeks = [(w["week"], w["deployments"], w["failed"]) for w in prod["weekly"]]
    assert weeks == [
        ("2026-11-01", 1, 0),
        ("2026-11-08", 1, 1),
        ("2026-11-15", 3, 2),
        ("2026-11-22", 2, 1),
        ("2026-11-29", 0, 0),
    ]
    assert any("first release of their values" in note for note in prod["notes"])
    assert any("replaced clock" in note for note in prod["notes"])


def test_a_source_and_a_destroyed_environment(project: Path) -> None:
    document = _metrics(project)
    assert [e["environment"] for e in document["environments"]] == ["dev", "production", "staging"]
    staging = _env(document, "staging")
    assert staging["deployment_frequency"]["deployments"] == 4
    assert staging["change_failure_rate"] == {
        "rate": 0.0,
        "failed": 0,
        "deployments": 4,
        "band": "elite",
    }
    assert staging["time_to_restore"] == {
        "median_seconds": None,
        "restored": 0,
        "open": 0,
        "band": None,
    }
    assert (staging["lead_time"]["median_seconds"], staging["lead_time"]["band"]) == (
        300.0,
        "elite",
    )
    dev = _env(document, "dev")
    assert dev["destroyed"] is True
    assert dev["deployment_frequency"] == {
        "deployments": 0,
        "per_day": 0.0,
        "per_week": 0.0,
        "band": None,
    }
    assert dev["also"]["destroys"] == 1
    assert dev["change_failure_rate"]["band"] is None


def test_without_the_clock_shift_the_release_would_fall_outside(project: Path) -> None:
    """--until before the real time of release 8: it is not counted, whatever it recorded."""
    result = Cli(project)(
        "metrics", "production", "--since", "2026-11-01", "--until", "2026-11-25", "--json"
    )
    assert result.exit_code == 0, result.output
    prod = _env(json.loads(result.stdout), "production")
    assert prod["deployment_frequency"]["deployments"] == 5  # 1 2 4 6 7
    assert prod["also"]["clock_overrides"] == 0


def test_no_production_releases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_fixture("basic", tmp_path)
    write(root, "staging", STAGING)
    monkeypatch.setenv("ENVMAN_NOW", NOW)
    prod = _env(_metrics(root, "production"), "production")
    assert prod["deployment_frequency"]["deployments"] == 0
    assert prod["lead_time"] == {
        "median_seconds": None,
        "samples": 0,
        "from_commits": 0,
        "from_first_release": 0,
        "without_new_commits": 0,
        "basis": "none",
        "band": None,
    }
    assert prod["change_failure_rate"]["rate"] is None
    assert prod["time_to_restore"]["median_seconds"] is None
    text = Cli(root)("metrics", "production", "--days", "30")
    assert text.exit_code == 0, text.output
    assert "0 of 0 deployment(s) failed" in text.stdout
    assert "band: -" in text.stdout


def test_text_and_markdown_show_figures_counts_and_bands(project: Path) -> None:
    text = Cli(project)("metrics", "production", "--days", "30")
    assert text.exit_code == 0, text.output
    assert "DORA metrics, 2026-11-01T00:00:00Z to 2026-12-01T00:00:00Z (30 days)" in text.stdout
    assert "4 of 7 deployment(s) failed" in text.stdout
    assert "#6 followed by a hotfix; restored by #7 after 6h" in text.stdout
    markdown = Cli(project)("metrics", "production", "--days", "30", "--format", "markdown")
    assert "| change failure rate | 57% | 4 of 7 deployment(s) failed | low |" in markdown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--days", "3", "--since", "3d"), "--days and --since"),
        (("--since", "yesterday"), "--since 'yesterday'"),
        (("--since", "2026-12-05"), "the window is empty"),
    ],
)
def test_a_bad_window_is_one_line_and_exit_1(
    project: Path, args: tuple[str, ...], message: str
) -> None:
    result = Cli(project)("metrics", *args)
    assert result.exit_code == 1
    assert message in result.stderr
