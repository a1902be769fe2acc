"""`envman validate` accepts every environment of the example platform."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Cli

pytestmark = pytest.mark.platform
REPO = Path(__file__).resolve().parents[2]


def test_every_environment_validates() -> None:
    cli = Cli(REPO)
    result = cli("validate")
    assert result.exit_code == 0, result.output
    for env in ("local", "dev", "staging", "production"):
        assert f"✓ {env}" in result.stdout


def test_list_feeds_the_drift_matrix() -> None:
    rows = json.loads(Cli(REPO)("list", "--json").stdout)
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"local", "dev", "staging", "production"}
    assert by_name["production"]["promotion_from"] == "staging"
    assert by_name["production"]["protected"] is True
    assert by_name["local"]["emulator"] is True


@pytest.mark.parametrize("env", ["local", "dev", "staging", "production"])
def test_every_environment_takes_the_five_components(env: str) -> None:
    """The workflows plan, apply and check drift of whole environments: each takes the graph."""
    result = Cli(REPO)("graph", env, "--format", "json")
    assert result.exit_code == 0, result.output
    graph = json.loads(result.stdout)
    names = [c["name"] for c in graph["components"]]
    assert names == ["network", "data", "app", "edge", "monitoring"]
    stacks = {c["name"]: c["stack"] for c in graph["components"]}
    assert all(stacks[n] == f"terraform/{n}" for n in names)
