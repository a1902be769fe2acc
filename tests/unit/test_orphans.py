"""Orphans (docs/operations.md "Orphans"): the one line, the local state listing, the index of
known environments (never a credential)."""

from __future__ import annotations

import json
from pathlib import Path

from envman.config.models import EnvironmentConfig, ProjectSettings
from envman.config.project import Environment, Project
from envman.graph.orphans import Orphan, OrphanReason, local_state_names
from envman.releases.known import gone_environments, index_path, remember_environment


def environment(root: Path, name: str, backend: dict[str, object]) -> Environment:
    config = EnvironmentConfig.model_validate({"backend": backend})
    directory = root / "environments" / name
    return Environment(name, directory, directory / "environment.hcl", config, root, root)


def test_the_line_names_count_reason_and_both_ways_out() -> None:
    removed = Orphan("dev", "b", OrphanReason.REMOVED, 3, 4, "abc")
    assert removed.line() == (
        "orphaned component 'b': 3 resources in state, not in envman.hcl — destroy it with "
        "envman destroy dev -c b, or envman forget dev -c b --reason ..."
    )
    dropped = Orphan("qa", "b", OrphanReason.DROPPED, 1, 4, "abc")
    assert "1 resource in state, not in components = [...] of 'qa'" in dropped.line()
    gone = Orphan("old", "", OrphanReason.ENVIRONMENT_GONE, None, 2, None)
    assert gone.line().startswith("orphaned environment 'old': state present")
    assert "envman destroy old, or envman forget old --reason" in gone.line()


def test_local_state_names_are_listed_from_the_component_path(tmp_path: Path) -> None:
    for name in ("a", "b"):
        path = tmp_path / "state" / "dev" / name / "terraform.tfstate"
        path.parent.mkdir(parents=True)
        path.write_text("{}")
    (tmp_path / "state" / "dev" / "empty").mkdir()  # no state file: not a component
    (tmp_path / "state" / "dev-c.tfstate").write_text("{}")
    nested = environment(
        tmp_path,
        "dev",
        {"__label__": "local", "config": {"path": "state/dev/{component}/terraform.tfstate"}},
    )
    assert local_state_names(nested) == {"a", "b"}
    flat = environment(
        tmp_path, "dev", {"__label__": "local", "config": {"path": "state/dev-{component}.tfstate"}}
    )
    assert local_state_names(flat) == {"c"}
    single = environment(
        tmp_path, "dev", {"__label__": "local", "config": {"path": "state/dev.tfstate"}}
    )
    assert local_state_names(single) == set()


def test_the_index_keeps_locations_never_credentials(tmp_path: Path) -> None:
    backend: dict[str, object] = {
        "__label__": "s3",
        "config": {
            "bucket": "b",
            "key": "dev/{component}/s",
            "access_key": "AKIA-secret",
            "secret_key": "shh",
        },
    }
    env = environment(tmp_path, "gone-env", backend)
    env.config_path.parent.mkdir(parents=True)
    env.config_path.write_text("# here\n")
    remember_environment(env)
    text = index_path(tmp_path).read_text()
    assert "AKIA-secret" not in text and "shh" not in text
    assert json.loads(text)["environments"]["gone-env"]["backend"]["config"]["bucket"] == "b"
    assert index_path(tmp_path).stat().st_mode & 0o077 == 0
    project = Project(tmp_path, ProjectSettings(), None)
    assert gone_environments(project) == []  # its folder is there
    env.config_path.unlink()
    (found,) = gone_environments(project)
    assert found.name == "gone-env" and found.config.backend is not None
    assert found.backend_config()["key"] == "dev/{component}/s"
