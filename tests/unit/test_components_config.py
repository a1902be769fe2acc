"""Component blocks: the graph, its checks (file:line), `envman graph`; pure graph walks."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from envman.graph.model import downstream_closure, find_cycle, levels, topo_order
from envman.graph.walk import walk
from tests.helpers import Cli, copy_fixture


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_fixture("components", tmp_path)


def edit(project: Path, old: str, new: str) -> None:
    path = project / "envman.hcl"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def line_of(project: Path, needle: str) -> int:
    lines = (project / "envman.hcl").read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_valid_graph_validates(project: Path) -> None:
    result = Cli(project)("validate")
    assert result.exit_code == 0, result.output
    assert "✓ dev" in result.stdout and "✓ staging" in result.stdout


def test_cycle_is_spelled_out_with_file_and_line(project: Path) -> None:
    edit(project, 'stack = "stacks/network"', 'stack = "stacks/network"\n  depends_on = ["app"]')
    line = line_of(project, 'component "network"')
    for command in (("validate",), ("plan", "dev"), ("graph",)):
        result = Cli(project)(*command)
        assert result.exit_code == 1, result.output
        assert "components form a cycle: network → data → app → network" in result.output
        assert f"envman.hcl:{line}:" in result.output


def test_unknown_component_and_undeclared_output(project: Path) -> None:
    edit(project, 'depends_on = ["edge"]', 'depends_on = ["edgy"]')
    edit(project, '"data.db_endpoint"', '"data.db_url"')
    result = Cli(project)("validate")
    assert result.exit_code == 1
    depends = line_of(project, "depends_on")
    assert f"envman.hcl:{depends}: component 'app': depends_on names unknown component 'edgy'" in (
        result.stdout
    )
    inputs = line_of(project, "db_url")
    assert f"envman.hcl:{inputs}: component 'app': input db_endpoint names output 'db_url'" in (
        result.stdout
    )
    assert "its outputs: db_endpoint" in result.stdout


def test_bad_reference_and_unknown_key_are_config_errors(project: Path) -> None:
    edit(project, '"network.vpc_id" }', '"vpc_id" }')
    result = Cli(project)("graph")
    assert result.exit_code == 1
    assert "envman.hcl:" in result.stderr and "<component>.<output>" in result.stderr


def test_environment_backend_needs_the_component_placeholder(project: Path) -> None:
    path = project / "environments" / "dev" / "environment.hcl"
    path.write_text(path.read_text().replace("{component}/", ""))
    result = Cli(project)("validate", "dev")
    assert result.exit_code == 1
    assert "environment.hcl:3:" in result.stdout and "{component}" in result.stdout


def test_environment_taking_a_component_without_its_upstream(project: Path) -> None:
    path = project / "environments" / "qa" / "environment.hcl"
    path.write_text(path.read_text().replace('["network", "data"]', '["data"]'))
    result = Cli(project)("graph", "qa")
    assert result.exit_code == 1
    assert "takes component 'data' but not its upstream network" in result.stderr


def test_graph_formats(project: Path) -> None:
    cli = Cli(project)
    text = cli("graph", "dev")
    assert "level 1: network, edge" in text.stdout and "level 3: app" in text.stdout
    mermaid = cli("graph", "dev", "--format", "mermaid").stdout
    assert "network -->|token, vpc_id| data" in mermaid and "edge -.-> app" in mermaid
    dot = cli("graph", "dev", "--format", "dot").stdout
    assert '"data" -> "app" [label="db_endpoint"];' in dot
    staging = json.loads(cli("graph", "qa", "--format", "json").stdout)
    assert [c["name"] for c in staging["components"]] == ["network", "data"]
    assert staging["components"][1]["stack"] == "stacks/data"
    assert cli("graph", "dev", "--format", "svg").exit_code == 1


def test_project_without_components_has_no_graph(tmp_path: Path) -> None:
    basic = copy_fixture("basic", tmp_path)
    result = Cli(basic)("graph")
    assert result.exit_code == 1 and "no components" in result.stderr
    assert Cli(basic)("plan", "staging", "-c", "app").exit_code == 1


EDGES = {"network": (), "data": ("network",), "app": ("data", "edge"), "edge": ()}


def test_graph_order_levels_and_closures() -> None:
    assert topo_order(EDGES) == ["network", "data", "edge", "app"]
    assert levels(EDGES) == [["network", "edge"], ["data"], ["app"]]
    assert downstream_closure(EDGES, ["network"]) == {"network", "data", "app"}
    assert find_cycle(EDGES) is None
    assert find_cycle({"a": ("b",), "b": ("a",)}) == ["a", "b"]
    assert find_cycle({"a": ("a",)}) == ["a"]


def test_walk_runs_independent_nodes_together_and_stops_after_a_failure() -> None:
    both = threading.Barrier(2, timeout=10)  # passes only when network and edge run at once
    seen: list[str] = []

    def step(node: str) -> str:
        if node in ("network", "edge"):
            both.wait()
        if node == "data":
            raise RuntimeError("boom")
        seen.append(node)
        return node

    result = walk(EDGES, list(EDGES), step, parallel=2)
    assert set(result.done) == {"network", "edge"}
    assert list(result.failed) == ["data"]
    assert result.skipped == ["app"]


def test_list_names_each_environments_components(project: Path) -> None:
    rows = {r["name"]: r for r in json.loads(Cli(project)("list", "--json").stdout)}
    assert rows["qa"]["components"] == ["network", "data"]
    assert rows["dev"]["components"] == ["network", "data", "app", "edge"]


def test_a_finding_names_its_component_only_with_components() -> None:
    from envman.drift.model import Finding

    plain = Finding("a.b", "x", 1, 2, "f", True)
    assert "component" not in plain.to_json()
    assert Finding("a.b", "x", 1, 2, "f", True, component="app").to_json()["component"] == "app"


def test_promotion_names_component_variables_and_outputs(project: Path) -> None:
    path = project / "environments" / "staging" / "environment.hcl"
    path.write_text(
        path.read_text().replace('"app.image_tag" = "app.image_tag"', '"image_tag" = "app.tag"')
    )
    result = Cli(project)("validate", "staging")
    assert result.exit_code == 1
    assert "'image_tag' must name '<component>.<variable>'" in result.stdout
    assert "component 'app' declares no output 'tag'" in result.stdout
