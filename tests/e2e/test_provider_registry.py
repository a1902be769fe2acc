"""The provider story with real terraform and no mirror configured: a registry out of reach is
one line that says what to set (``.invalid`` never resolves, so terraform fails at once)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import Cli, need_terraform

STACK = """
terraform {
  backend "local" {}
  required_providers {
    thing = { source = "registry.invalid/acme/thing" }
  }
}
"""


def test_unreachable_registry_says_to_set_a_mirror(tmp_path: Path) -> None:
    need_terraform()
    (tmp_path / "terraform").mkdir()
    (tmp_path / "terraform" / "main.tf").write_text(STACK)
    cli = Cli(tmp_path)
    assert cli("init").exit_code == 0
    result = cli("plan", "dev")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("envman:")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "envman: error: terraform cannot reach the provider registry registry.invalid "
        "to install registry.invalid/acme/thing"
    )
    assert "set ENVMAN_PROVIDER_MIRROR, or provider_mirror in envman.hcl" in lines[0]
    assert "docs/install.md" in lines[0]
