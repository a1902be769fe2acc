"""Orphaned components: a stack removed from the code whose state remains (docs/components.md).

A component is **orphaned** in an environment when the environment's ledger says it is in
place (the newest entry that applied it, with no destroy since) or its state holds resources
at its location (`{component}` in the backend key or path: a local backend's files are
listed; on S3 only the names the ledger knows are looked at), while the configuration no
longer has it: its `component` block was deleted, or the environment's `components = [...]`
dropped it. It stays orphaned until `envman destroy ENV -c NAME` destroys it or
`envman forget ENV -c NAME --reason R` records that its state is someone else's now.
"""

from __future__ import annotations

import contextlib
import glob
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from envman.config.locations import components_taken
from envman.config.project import COMPONENT_PLACEHOLDER, Environment, Project
from envman.errors import EnvmanError
from envman.graph.environment import ComponentEnvironment
from envman.releases.ledger import Ledger
from envman.releases.models import IMPLICIT, ComponentStatus, Release
from envman.terraform.state_direct import state_document
from envman.workspace import Workspace

FORGOTTEN_DOC = "orphans/forgotten.json"  # component -> the release seq its forget covers
NAMES_DOC = "orphans/names.json"  # the component names of the records up to a seq


class OrphanReason(StrEnum):
    REMOVED = "removed"  # no `component` block any more
    DROPPED = "dropped"  # the block is there; the environment's components = [...] drops it
    ENVIRONMENT_GONE = "environment_gone"  # the environment's folder was deleted


@dataclass(frozen=True)
class Orphan:
    environment: str
    component: str
    reason: OrphanReason
    resources: int | None  # in its state; None: only terraform can read that state
    seq: int | None  # the release that last applied it (None: known from its state only)
    commit: str | None  # git commit of that release: the stack code `destroy` uses
    dirty: bool | None = None  # that release ran from a working tree with uncommitted changes

    @property
    def where(self) -> str:
        if self.reason == OrphanReason.DROPPED:
            return f"not in components = [...] of '{self.environment}'"
        if self.reason == OrphanReason.ENVIRONMENT_GONE:
            return f"environments/{self.environment}/ is gone"
        return "not in envman.hcl"

    @property
    def count(self) -> str:
        if self.resources is None:
            return "state present (not readable without terraform)"
        plural = "" if self.resources == 1 else "s"
        return f"{self.resources} resource{plural} in state"

    def line(self) -> str:
        """The one line plan, apply, validate and status say about it."""
        env, name = self.environment, self.component
        target = f" -c {name}" if name != IMPLICIT else ""
        what = f"component '{name}'" if name != IMPLICIT else f"environment '{env}'"
        return (
            f"orphaned {what}: {self.count}, {self.where} — destroy it with "
            f"envman destroy {env}{target}, or envman forget {env}{target} --reason ..."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "reason": str(self.reason),
            "resources": self.resources,
            "seq": self.seq,
            "commit": self.commit,
            "message": self.line(),
        }


@dataclass(frozen=True)
class LastApplied:
    """A component's newest decisive ledger entry: in place (with its release) or destroyed."""

    release: Release | None  # None: destroyed since


def ledger_components(ledger: Ledger, wanted: set[str]) -> dict[str, LastApplied]:
    """The components of ``wanted`` the ledger names, with the release that last put each in
    place (None once a destroy of it came after). Reads newest first until each has its
    decisive entry: a component left alone for a hundred releases is still in place."""
    found: dict[str, LastApplied] = {}
    for release in ledger.newest_first():
        if wanted <= set(found):
            break
        for name, entry in release.entries().items():
            if name in found or name not in wanted:
                continue
            if entry.status == ComponentStatus.DESTROYED and release.succeeded:
                found[name] = LastApplied(None)
            elif entry.in_place:
                found[name] = LastApplied(release)
    return found


def ledger_names(ledger: Ledger) -> set[str]:
    """Every component name the ledger's records carry. The names of records up to a seq are
    kept in a document of the ledger (names never leave a record), so a run reads only the
    records written since; the document is a cache, rebuilt when missing or unreadable, and
    a store that refuses the write (a read-only role) only costs the next run the same read."""
    doc = ledger.read_doc(NAMES_DOC) or {}
    seq, kept = doc.get("seq"), doc.get("names")
    covered = seq if isinstance(seq, int) else 0
    names = {str(n) for n in kept} if isinstance(kept, list) and covered else set()
    newest = covered
    for release in ledger.newest_first():
        if release.seq <= covered:
            break
        names |= set(release.entries())
        newest = max(newest, release.seq)
    if newest > covered:
        with contextlib.suppress(EnvmanError, OSError):  # a cache: the next run reads again
            ledger.write_doc(NAMES_DOC, {"seq": newest, "names": sorted(names)})
    return names


def forgotten(ledger: Ledger) -> dict[str, int]:
    """component -> the newest release seq a `forget` covered (0: known from state only)."""
    doc = ledger.read_doc(FORGOTTEN_DOC) or {}
    items = doc.get("components")
    if not isinstance(items, dict):
        return {}
    return {
        str(k): int(v.get("seq") or 0)
        for k, v in items.items()
        if isinstance(v, dict) and isinstance(v.get("seq") or 0, int)
    }


def find_orphans(
    project: Project, env: Environment, ledger: Ledger, reason: OrphanReason | None = None
) -> list[Orphan]:
    """The orphaned components of ``env``, by name (``reason`` forces it: a gone environment)."""
    declared = [c.name for c in project.settings.component]
    taken = set(components_taken(env, declared)) if reason is None else set()
    on_disk = local_state_names(env)
    candidates = {
        n
        for n in ledger_names(ledger) | on_disk
        if n not in taken and (n != IMPLICIT or reason is not None)
    }
    if not candidates:
        return []
    known = ledger_components(ledger, candidates)
    skipped = forgotten(ledger)
    orphans: list[Orphan] = []
    for name in sorted(candidates):
        last = known.get(name, LastApplied(None)).release
        seq = last.seq if last is not None else None
        if name in skipped and skipped[name] >= (seq or 0):
            continue
        resources = count_resources(project, env, name)
        if last is None and not resources:
            continue  # destroyed (or never applied) and nothing in its state
        why = reason or (OrphanReason.DROPPED if name in declared else OrphanReason.REMOVED)
        commit = last.git.commit if last is not None else None
        dirty = last.git.dirty if last is not None else None
        orphans.append(Orphan(env.name, name, why, resources, seq, commit, dirty))
    return orphans


def orphan_environment(env: Environment, name: str) -> Environment:
    """The environment of one of ``env``'s components as its state location sees it (the
    stack folder does not matter: only the state is read)."""
    if name == IMPLICIT:
        return env
    return ComponentEnvironment(
        name=env.name,
        directory=env.directory,
        config_path=env.config_path,
        config=env.config,
        stack_dir=env.stack_dir,
        project_root=env.project_root,
        component=name,
    )


def count_resources(project: Project, env: Environment, name: str) -> int | None:
    """Managed resource instances in the component's state (0 when it has none)."""
    document = state_document(Workspace(project, orphan_environment(env, name)))
    if document is None:
        return None
    total = 0
    for resource in document.get("resources") or []:
        if isinstance(resource, dict) and resource.get("mode") == "managed":
            total += len(resource.get("instances") or [])
    return total


def local_state_names(env: Environment) -> set[str]:
    """The components whose state file exists at a local backend's `{component}` path."""
    backend = env.config.backend
    if backend is None or backend.type != "local":
        return set()
    template = backend.config.get("path")
    if not isinstance(template, str) or COMPONENT_PLACEHOLDER not in template:
        return set()
    full = str((env.project_root / template).resolve())
    head, _, tail = full.partition(COMPONENT_PLACEHOLDER)
    pattern = re.compile(re.escape(head) + r"([A-Za-z0-9_-]+)" + re.escape(tail) + r"$")
    names = set()
    for found in glob.glob(glob.escape(head) + "*" + glob.escape(tail)):
        match = pattern.match(found)
        if match and Path(found).is_file():
            names.add(match.group(1))
    return names
