"""after_apply follows every apply, promote and rollback; after_promote only promotions."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import Cli


def test_after_apply_runs_on_promote_and_rollback(cli: Cli, basic_project: Path) -> None:
    log = basic_project / "hooks.log"
    hcl = basic_project / "environments" / "production" / "environment.hcl"
    hcl.write_text(
        hcl.read_text()
        + f'hook "after_apply" {{\n  command = ["sh", "-c", "echo apply:$ENVMAN_EVENT >> {log}"]\n}}\n'
        + f'hook "after_promote" {{\n  command = ["sh", "-c", "echo promote >> {log}"]\n}}\n'
    )
    assert cli("apply", "staging", "--set", "image_tag=v2", "--yes").exit_code == 0
    assert cli("promote", "--confirm", "production").exit_code == 0
    assert log.read_text().split() == ["apply:after_apply", "promote"]
    assert cli("apply", "staging", "--set", "image_tag=v3", "--yes").exit_code == 0
    assert cli("promote", "--confirm", "production").exit_code == 0
    assert cli("rollback", "production", "--confirm", "production").exit_code == 0
    assert log.read_text().split()[-1] == "apply:after_apply"
    assert log.read_text().split().count("promote") == 2
