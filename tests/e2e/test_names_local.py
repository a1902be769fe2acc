"""A component name that climbs out of its folder never reaches terraform: with `{component}`
in the state path, `../staging/edge` made `apply dev` run against staging's state (and destroy
what staging had there). Real terraform, local backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform


@pytest.fixture
def project(tmp_path: Path) -> Path:
    need_terraform()
    return copy_fixture("components", tmp_path)


def test_a_climbing_component_name_is_refused_before_anything_runs(project: Path) -> None:
    cli = Cli(project)
    built = cli("apply", "staging", "--yes")
    assert built.exit_code == 0, built.output
    staging_edge = project / "state" / "staging" / "edge" / "terraform.tfstate"
    before = staging_edge.read_bytes()
    assert b"terraform_data" in before
    ledger = project / "state" / "staging" / "terraform.tfstate.releases"
    records = sorted(p.name for p in ledger.glob("*.json"))

    hcl = project / "envman.hcl"
    text = hcl.read_text()
    hcl.write_text(
        text.replace('component "edge"', 'component "../staging/edge"').replace(
            'depends_on = ["edge"]', 'depends_on = ["../staging/edge"]'
        )
    )
    line = next(
        i for i, row in enumerate(hcl.read_text().splitlines(), 1) if 'component "../staging' in row
    )
    for command in (("plan", "dev"), ("apply", "dev", "--yes"), ("destroy", "dev", "--yes")):
        result = cli(*command)
        assert result.exit_code == 1, result.output
        assert f"envman.hcl:{line}: component name '../staging/edge' is not an identifier" in (
            result.output
        )
    assert staging_edge.read_bytes() == before  # staging's state untouched
    assert sorted(p.name for p in ledger.glob("*.json")) == records
    assert not (project / "state" / "dev").exists()  # nothing ran for dev
    assert not (project / ".envman" / "envs" / "dev").exists()
