"""The promotion gate on a component environment (envman/graph/gate.py): `--set` of a promoted
`component.name` variable is refused under promotion_only, like a single stack's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform

REFUSED = 3


@pytest.fixture
def project(tmp_path: Path) -> Path:
    need_terraform()
    project = copy_fixture("components", tmp_path)
    hcl = project / "environments" / "staging" / "environment.hcl"
    hcl.write_text(hcl.read_text() + "\nprotection {\n  promotion_only = true\n}\n")
    return project


def releases(project: Path) -> list[dict[str, Any]]:
    folder = project / "state" / "staging" / "terraform.tfstate.releases"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("[0-9]" * 8 + ".json"))]


def test_set_of_a_promoted_component_variable_needs_break_glass(project: Path) -> None:
    cli = Cli(project)
    for item in ("app.image_tag=hotfix", "image_tag=hotfix"):  # qualified, and a bare name
        refused = cli("apply", "staging", "--yes", "--set", item)
        assert refused.exit_code == REFUSED, refused.output
        assert "refused by protection.promotion_only" in refused.output
    assert releases(project) == []  # nothing planned, nothing recorded

    applied = cli(
        "apply", "staging", "--yes", "--set", "app.image_tag=hotfix", "--break-glass", "sev1"
    )
    assert applied.exit_code == 0, applied.output
    (record,) = releases(project)
    assert record["break_glass"]["rules"] == ["promotion_only:app.image_tag"]
    assert record["components"]["app"]["inputs"]["image_tag"] == "hotfix"

    planned = cli("plan", "staging", "--set", "app.image_tag=v9")
    assert planned.exit_code == 0, planned.output
    saved = cli("apply", "staging", "--plan", "--yes")  # the saved plan's --set counts too
    assert saved.exit_code == REFUSED, saved.output
    assert len(releases(project)) == 1


def test_without_promotion_only_the_bypass_is_warned_and_recorded(project: Path) -> None:
    hcl = project / "environments" / "staging" / "environment.hcl"
    hcl.write_text(hcl.read_text().replace("promotion_only = true", "promotion_only = false"))
    applied = Cli(project)("apply", "staging", "--yes", "--set", "app.image_tag=hotfix")
    assert applied.exit_code == 0, applied.output
    assert "bypasses promotion" in applied.output
    (record,) = releases(project)
    assert record["promotion_bypass"] == ["--set/--unpin of promoted app.image_tag"]
