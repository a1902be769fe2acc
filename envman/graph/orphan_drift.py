"""Orphaned components as drift findings (docs/drift.md): each one is a finding of the
environment (exit 2) until it is destroyed or forgotten (docs/operations.md "Orphans")."""

from __future__ import annotations

from envman.drift.model import Finding, fingerprint
from envman.graph.orphans import find_orphans
from envman.releases.ledger import Ledger
from envman.workspace import Workspace

ORPHANED = "orphaned"  # the finding's change


def orphan_findings(workspace: Workspace, ledger: Ledger) -> list[Finding]:
    """One finding per orphaned component of the workspace's environment."""
    env = workspace.env
    findings = []
    for orphan in find_orphans(workspace.project, env, ledger):
        address = f"component.{orphan.component}"
        actual = f"{ORPHANED}: {orphan.count}, {orphan.where}"
        findings.append(
            Finding(
                address=address,
                attribute="*",
                expected="declared",
                actual=actual,
                fingerprint=fingerprint(f"{env.name}/{orphan.component}", address, ORPHANED, 0),
                actionable=False,
                change=ORPHANED,
                component=orphan.component,
            )
        )
    return findings
