"""Orphaned components as drift findings (docs/drift.md): each one is a finding of the
environment (exit 2) until it is destroyed or forgotten (docs/operations.md "Orphans")."""

from __future__ import annotations

from envman.config.project import Project
from envman.drift.model import DRIFTED, EnvResult, Finding, error_result, fingerprint
from envman.graph.orphans import Orphan, find_orphans
from envman.releases.ledger import Ledger
from envman.workspace import Workspace

ORPHANED = "orphaned"  # the finding's change


def orphan_findings(workspace: Workspace, ledger: Ledger) -> list[Finding]:
    """One finding per orphaned component of the workspace's environment."""
    return [_finding(o) for o in find_orphans(workspace.project, workspace.env, ledger)]


def _finding(orphan: Orphan) -> Finding:
    address = f"component.{orphan.component}" if orphan.component else "stack"
    actual = f"{ORPHANED}: {orphan.count}, {orphan.where}"
    return Finding(
        address=address,
        attribute="*",
        expected="declared",
        actual=actual,
        fingerprint=fingerprint(f"{orphan.environment}/{orphan.component}", address, ORPHANED, 0),
        actionable=False,
        change=ORPHANED,
        component=orphan.component or None,
    )


def gone_results(project: Project, names: list[str]) -> dict[str, EnvResult]:
    """A result per environment whose folder is gone while something of it remains (those
    named, or all): drifted, a finding per orphan."""
    from envman.graph.gone import orphaned_environments

    results = {}
    for name, found in orphaned_environments(project).items():
        if names and name not in names:
            continue
        if isinstance(found, str):
            results[name] = error_result(name, found)
            continue
        findings = [_finding(o) for o in found]
        result = EnvResult(name, DRIFTED, findings=findings)
        result.counts.findings = result.counts.new = len(findings)
        results[name] = result
    return results
