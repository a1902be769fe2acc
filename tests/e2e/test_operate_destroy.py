"""envman destroy with the real terraform binary on a tiny terraform_data stack (local backend)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform


@pytest.fixture
def project(tmp_path: Path) -> Path:
    need_terraform()
    return copy_fixture("operate", tmp_path)


@pytest.fixture
def op(project: Path) -> Cli:
    return Cli(project)


def state_resources(project: Path, env: str) -> list[str]:
    path = project / "state" / f"{env}.tfstate"
    if not path.is_file():
        return []
    return sorted(f"{r['type']}.{r['name']}" for r in json.loads(path.read_text())["resources"])


def history(op: Cli, env: str) -> list[dict[str, object]]:
    result = op("history", env, "--json")
    assert result.exit_code == 0, result.output
    doc: list[dict[str, object]] = json.loads(result.stdout)
    return doc


def test_destroy_needs_the_typed_name_then_records_and_rebuilds(op: Cli, project: Path) -> None:
    assert op("apply", "dev", "--set", "image_tag=v7", "--yes").exit_code == 0
    before = state_resources(project, "dev")
    assert before == ["terraform_data.app", "terraform_data.gate"]
    for refusal in ([], ["--yes"], ["--confirm", "production"]):
        refused = op("destroy", "dev", *refusal)
        assert refused.exit_code == 3, refused.output
        assert "--confirm dev" in refused.stderr
        assert "2 to destroy" in refused.stdout  # the destroy plan was shown
        assert state_resources(project, "dev") == before
    assert [r["seq"] for r in history(op, "dev")] == [1]
    assert not list((project / ".envman" / "dev").glob("*.tfplan"))  # no plan left behind

    destroyed = op("destroy", "dev", "--confirm", "dev")
    assert destroyed.exit_code == 0, destroyed.output
    assert "terraform_data.app (delete)" in destroyed.stdout
    assert "Pinned from release #1: image_tag=v7" in destroyed.stdout  # the env's inputs
    assert state_resources(project, "dev") == []
    record = history(op, "dev")[0]
    assert (record["seq"], record["kind"], record["status"]) == (2, "destroy", "applied")
    assert record["plan"] == {"add": 0, "change": 0, "destroy": 2, "replace": 0}
    assert record["state"]["serial_after"] > record["state"]["serial_before"]  # type: ignore[index]
    assert record["outputs"] == {}

    status = op("status", "dev", "--json")
    row = json.loads(status.stdout)["environments"][0]
    assert row["current"] is None
    assert row["destroyed"]["seq"] == 2
    assert "destroyed by release #2" in op("status", "dev").stdout
    assert "destroyed by release #2" in op("history", "dev").stdout
    again = op("destroy", "dev", "--confirm", "dev")
    assert again.exit_code == 0 and "Nothing to destroy" in again.stdout
    assert len(history(op, "dev")) == 2

    # no current release: a later apply rebuilds with the stack's values, not v7's pin
    rebuilt = op("apply", "dev", "--yes")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Pinned" not in rebuilt.stdout
    assert json.loads(op("outputs", "dev", "--json").stdout)["image_tag"]["value"] == "v1"
    assert state_resources(project, "dev") == before


def test_protected_destroy_needs_break_glass_and_the_name(op: Cli, project: Path) -> None:
    assert op("apply", "production", "--confirm", "production").exit_code == 0
    no_glass = op("destroy", "production", "--confirm", "production")
    assert no_glass.exit_code == 3
    assert "protected" in no_glass.stderr and "--break-glass" in no_glass.stderr
    assert "to destroy" not in no_glass.stdout  # refused before anything ran
    no_name = op("destroy", "production", "--break-glass", "INC-7 teardown", "--yes")
    assert no_name.exit_code == 3 and "--confirm production" in no_name.stderr
    assert state_resources(project, "production") != []
    empty_reason = op("destroy", "production", "--break-glass", " ", "--confirm", "production")
    assert empty_reason.exit_code == 1 and "needs a reason" in empty_reason.stderr

    done = op("destroy", "production", "--break-glass", "INC-7 teardown", "--confirm", "production")
    assert done.exit_code == 0, done.output
    assert "break-glass on 'production'" in done.stderr
    assert state_resources(project, "production") == []
    record = history(op, "production")[0]
    assert record["kind"] == "destroy"
    assert record["break_glass"] == {"reason": "INC-7 teardown", "rules": ["protection.confirm"]}


def test_destroy_in_a_freeze_needs_break_glass(
    op: Cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project / "environments" / "dev" / "environment.hcl"
    config.write_text(
        config.read_text()
        + 'protection {\n  freeze "launch" {\n    from = "2026-06-01"\n    to = "2026-06-30"\n  }\n}\n'
    )
    assert op("apply", "dev", "--yes").exit_code == 0
    monkeypatch.setenv("ENVMAN_NOW", "2026-06-10T12:00:00Z")
    frozen = op("destroy", "dev", "--confirm", "dev")
    assert frozen.exit_code == 3 and 'freeze "launch"' in frozen.stderr
    glass = op("destroy", "dev", "--confirm", "dev", "--break-glass", "launch rollback")
    assert glass.exit_code == 0, glass.output
    assert history(op, "dev")[0]["break_glass"]["rules"] == ["freeze:launch"]  # type: ignore[index]


def test_promote_from_a_destroyed_source_is_refused(op: Cli, project: Path) -> None:
    assert op("apply", "dev", "--set", "image_tag=v3", "--yes").exit_code == 0
    assert op("destroy", "dev", "--confirm", "dev").exit_code == 0
    refused = op("promote", "production", "--confirm", "production")
    assert refused.exit_code == 1
    assert "cannot promote from 'dev': it was destroyed by release #2" in refused.stderr
    assert state_resources(project, "production") == []
    # and a destroy is never a rollback target
    to_destroy = op("rollback", "dev", "--to", "2", "--yes")
    assert to_destroy.exit_code == 1 and "is a destroy" in to_destroy.stderr
    nothing = op("rollback", "dev", "--yes")
    assert nothing.exit_code == 1 and "destroyed by release #2" in nothing.stderr


def test_verify_of_a_destroyed_environment_is_refused(op: Cli, project: Path) -> None:
    config = project / "environments" / "dev" / "environment.hcl"
    config.write_text(
        config.read_text()
        + 'verify {\n  http "api" {\n    url = "http://127.0.0.1:9/health"\n    timeout = "1s"\n  }\n}\n'
    )
    assert op("apply", "dev", "--yes").exit_code == 4  # nothing listens there
    assert op("destroy", "dev", "--confirm", "dev").exit_code == 0
    refused = op("verify", "dev")
    assert refused.exit_code == 1
    assert "cannot verify 'dev': it was destroyed by release #2" in refused.stderr
    assert history(op, "dev")[0]["status"] == "applied"  # the destroy record is untouched


def test_components_are_not_configured(op: Cli) -> None:
    result = op("destroy", "dev", "-c", "network", "--confirm", "dev")
    assert result.exit_code == 1
    assert "components are not configured" in result.stderr


def test_on_a_terminal_the_name_is_typed(
    op: Cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import envman.operate.destroy as destroy_module
    import envman.protect.confirm as confirm_module

    monkeypatch.setattr(destroy_module, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr(confirm_module, "stdin_is_terminal", lambda: True)
    assert op("apply", "dev", "--yes").exit_code == 0
    for answer in ("y\n", "yes\n", "\n"):
        declined = op("destroy", "dev", "--yes", input=answer)
        assert declined.exit_code == 3, declined.output
        assert "Type the environment name 'dev' to destroy" in declined.stderr
        assert "did not match" in declined.stderr
    assert state_resources(project, "dev") != []
    typed = op("destroy", "dev", input="dev\n")
    assert typed.exit_code == 0, typed.output
    assert state_resources(project, "dev") == []
