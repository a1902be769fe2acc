"""Two environments (or components of them) never share a state object or a ledger: each is a
config error naming the file and line of the backend, for validate and every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Cli, copy_fixture


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_fixture("components", tmp_path)


def set_path(project: Path, env: str, old: str, new: str) -> Path:
    hcl = project / "environments" / env / "environment.hcl"
    text = hcl.read_text()
    assert old in text
    hcl.write_text(text.replace(old, new))
    return hcl


def test_components_of_two_environments_on_one_state(project: Path) -> None:
    hcl = set_path(project, "qa", "state/qa/{component}", "state/dev/{component}")
    result = Cli(project)("validate")
    assert result.exit_code == 1
    shared = project / "state" / "dev" / "network" / "terraform.tfstate"
    assert (
        f"qa/environment.hcl:5: environment 'qa' (component 'network') and environment 'dev' "
        f"(component 'network') have the same state {shared}: one would apply over the other's"
    ) in result.output
    # staging itself is fine; it names dev as a promotion source it cannot read
    assert "✗ staging" in result.output and "promotion source 'dev'" in result.output
    assert hcl.read_text().splitlines()[4].strip().startswith("path")
    assert Cli(project)("plan", "dev").exit_code == 1


def test_two_ledgers_in_one_place(project: Path) -> None:
    """qa's states differ from dev's, but its ledger (the path without {component}) is dev's."""
    qa = "state/dev/terraform{component}.tfstate"
    set_path(project, "qa", "state/qa/{component}/terraform.tfstate", qa)
    result = Cli(project)("validate", "qa")
    assert result.exit_code == 1
    ledger = project / "state" / "dev" / "terraform.tfstate.releases"
    assert f"have the same release ledger {ledger}: the one's releases would count" in (
        result.output
    )


def test_distinct_locations_pass(project: Path) -> None:
    result = Cli(project)("validate")
    assert result.exit_code == 0, result.output


def test_a_broken_other_environment_does_not_block_the_check(project: Path) -> None:
    (project / "environments" / "qa" / "environment.hcl").write_text("backend {\n")
    result = Cli(project)("validate", "dev")
    assert result.exit_code == 0, result.output
