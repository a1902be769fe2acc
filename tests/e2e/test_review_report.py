"""The Markdown review report (`envman plan ENV --format markdown`) against golden files.

One real stack goes through create, update, replace (refused by the guard), destroy and no
changes; each plan's report must equal its golden file (resource ids, random per run, are
normalised). Regenerate after an intended change with ENVMAN_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, Cli, copy_fixture, need_terraform

GOLDEN = FIXTURES / "guarded" / "golden"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def check_golden(name: str, text: str) -> None:
    text = _UUID.sub("<id>", text)
    path = GOLDEN / f"{name}.md"
    if os.environ.get("ENVMAN_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"report differs from {path}"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    need_terraform()
    root = copy_fixture("guarded", tmp_path)
    return Cli(root)


def report(cli: Cli, code: int, *sets: str, env: str = "dev") -> str:
    args = [item for s in sets for item in ("--set", s)]
    result = cli("plan", env, "--format", "markdown", *args)
    assert result.exit_code == code, result.output
    assert "Saved plan" not in result.stdout  # stdout is the report only
    return result.stdout


def test_review_report_golden(cli: Cli) -> None:
    check_golden("create", report(cli, 0, "workers=3"))
    assert cli("apply", "dev", "--set", "workers=3", "--pin", "workers", "--yes").exit_code == 0
    check_golden("update", report(cli, 0, "app_tag=v2"))
    assert cli("apply", "dev", "--set", "app_tag=v2", "--pin", "app_tag", "--yes").exit_code == 0
    check_golden("replace", report(cli, 3, "db_version=2"))
    check_golden("destroy", report(cli, 0, "workers=1"))
    assert cli("apply", "dev", "--set", "workers=1", "--pin", "workers", "--yes").exit_code == 0
    check_golden("no-changes", report(cli, 0))


def test_review_report_policy_golden(cli: Cli) -> None:
    hcl = cli.project / "environments" / "staging" / "environment.hcl"
    hcl.write_text(
        hcl.read_text() + f'\npolicy "no-workers" {{\n  command = [{json.dumps(sys.executable)}, '
        '"../../policies/no_workers.py"]\n}\n'
    )
    check_golden("policy-refused", report(cli, 3, "workers=1", env="staging"))
