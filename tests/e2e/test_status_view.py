"""envman status: the drift column says the drift state that is current (a check older than
the newest release is stale), and no cell is cut, on a 100-column terminal or without one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import Cli

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
STYLE = re.compile(r"\x1b\[[0-9;]*m")  # bold headers on a terminal


def drift_of(cli: Cli, env: str) -> dict[str, object]:
    result = cli("status", env, "--json")
    assert result.exit_code == 0, result.output
    drift = json.loads(result.stdout)["environments"][0]["drift"]
    assert isinstance(drift, dict)
    return drift


def test_drift_after_a_newer_release_is_stale(cli: Cli) -> None:
    assert cli("apply", "staging", "--yes").exit_code == 0
    assert cli("drift", "staging").exit_code == 0
    fresh = drift_of(cli, "staging")
    assert fresh["status"] == "in_sync" and fresh["stale"] is False
    table = cli("status", "staging").stdout
    assert "in_sync" in table and "unknown" not in table

    assert cli("apply", "staging", "--set", "image_tag=v2", "--yes").exit_code == 0
    stale = drift_of(cli, "staging")
    assert stale["status"] == "in_sync" and stale["stale"] is True  # the record as it was
    table = cli("status", "staging").stdout
    assert "unknown (before #2)" in table and "in_sync" not in table

    assert cli("drift", "staging").exit_code == 0
    assert drift_of(cli, "staging")["stale"] is False


def test_drift_after_a_destroy_is_not_in_sync(cli: Cli) -> None:
    assert cli("apply", "dev", "--yes").exit_code == 0
    assert cli("drift", "dev").exit_code == 0
    assert cli("destroy", "dev", "--confirm", "dev").exit_code == 0
    table = cli("status", "dev").stdout
    assert "destroyed" in table and "in_sync" not in table
    assert "unknown (before #2)" in table


@pytest.mark.parametrize("terminal", [True, False])
def test_no_cell_is_cut(cli: Cli, monkeypatch: pytest.MonkeyPatch, terminal: bool) -> None:
    monkeypatch.setenv("ENVMAN_ACTOR", "alice.longname@build-host-with-a-long-name")
    assert (
        cli("apply", "staging", "--set", "image_tag=v1.2.3-rc.1+build.42", "--yes").exit_code == 0
    )
    assert cli("drift", "staging").exit_code == 0
    if terminal:
        monkeypatch.setenv("TTY_COMPATIBLE", "1")
        monkeypatch.setenv("COLUMNS", "100")
    result = cli("--no-color", "status")
    assert result.exit_code == 0, result.output
    shown = STYLE.sub("", result.stdout)
    assert "…" not in shown
    assert len(TIME.findall(shown)) == 2  # release time and drift check, both whole
    if terminal:
        assert max(len(line) for line in shown.splitlines()) <= 100
    else:
        assert "alice.longname@build-host-with-a-long-name" in shown
        assert "image_tag=v1.2.3-rc.1+build.42" in shown


def test_status_json_has_the_stale_flag_only_with_a_drift_result(
    cli: Cli, basic_project: Path
) -> None:
    assert cli("apply", "staging", "--yes").exit_code == 0
    result = cli("status", "staging", "--json")
    assert json.loads(result.stdout)["environments"][0]["drift"] is None
