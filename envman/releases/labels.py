"""Release labels (docs/insight.md, "Labels"): a name such as ``v1.2.3`` for a release.

Where a release's label comes from, first that holds:
1. ``--label L`` of `apply` or `promote` (the command line sets it for the run: ``asked``);
2. a promotion carries the source release's label; a rollback the label of the release it
   goes back to (automatic rollbacks too);
3. `apply` and `promote`: an exact git tag at HEAD that is a semantic version (v1.2.3, 1.2.3,
   1.2.3-rc.1).
A destroy has none. A label is a name, not a key: several releases may carry it, and a
reference by label means the newest successful release with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from envman.errors import EnvmanError, UsageError
from envman.releases.models import Kind, Release, Status

if TYPE_CHECKING:
    from envman.config.project import Project
    from envman.releases.ledger import Ledger

MAX_LENGTH = 64
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
_SEMVER = re.compile(
    r"v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
)
_SEQ = re.compile(r"#?[0-9]+")

# releases that applied, whatever became of them since (release notes name them)
APPLIED_ONCE = frozenset(
    {Status.APPLIED, Status.VERIFIED, Status.VERIFY_FAILED, Status.ROLLED_BACK}
)

_asked: ContextVar[str | None] = ContextVar("envman_label", default=None)


def check_label(label: str, option: str = "--label") -> str:
    """The label if it is one: letters, digits, `.`, `_`, `+`, `-`, starting with a letter or
    digit, at most 64 characters, and not a bare number (that reads as a seq)."""
    if len(label) > MAX_LENGTH or not _LABEL.fullmatch(label) or _SEQ.fullmatch(label):
        raise UsageError(
            f"{option} {label[:80]!r} is not a release label",
            hint=f"use letters, digits, '.', '_', '+', '-' (at most {MAX_LENGTH}, starting "
            "with a letter or digit, not only digits), e.g. v1.2.3",
        )
    return label


def is_semver(tag: str) -> bool:
    return bool(_SEMVER.fullmatch(tag)) and len(tag) <= MAX_LENGTH


@contextmanager
def asked(label: str | None) -> Iterator[None]:
    """The label the command line gave (`--label`), for the releases this run begins."""
    token = _asked.set(check_label(label) if label is not None else None)
    try:
        yield
    finally:
        _asked.reset(token)


def label_for(project: Project, ledger: Ledger, fields: Mapping[str, Any]) -> str | None:
    """The label of a release about to begin, from its fields (kind, source, target_seq,
    git): see the module's docstring for the order."""
    kind = Kind(fields["kind"])
    if kind == Kind.DESTROY:
        return None
    if kind == Kind.ROLLBACK:
        return _label_of(ledger, fields.get("target_seq"))
    if _asked.get() is not None:
        return _asked.get()
    if kind == Kind.PROMOTE:
        carried = _source_label(project, fields.get("source"))
        if carried is not None:
            return carried
    tag = (fields.get("git") or {}).get("tag")
    return tag if isinstance(tag, str) and is_semver(tag) else None


def _source_label(project: Project, source: Any) -> str | None:
    if source is None:
        return None
    found = source if isinstance(source, Mapping) else source.model_dump()
    name, seq = found.get("environment"), found.get("seq")
    if not isinstance(name, str) or not isinstance(seq, int):
        return None
    from envman.releases.ledger import Ledger
    from envman.releases.locate import store_for

    try:
        env = project.environment(name)
        return _label_of(Ledger(store_for(env), env.name), seq)
    except EnvmanError:  # the label is a courtesy: an unreadable source never stops a run
        return None


def _label_of(ledger: Ledger, seq: Any) -> str | None:
    if not isinstance(seq, int):
        return None
    try:
        return ledger.get(seq).label
    except EnvmanError:
        return None


def labelled(ledger: Ledger, label: str) -> Iterator[Release]:
    """Releases with ``label``, newest first."""
    return (r for r in ledger.newest_first() if r.label == label)


def resolve(ledger: Ledger, ref: str, option: str, *, introduced: bool = False) -> Release:
    """A release named by ``ref``: a seq (``12`` or ``#12``), else a label: the newest
    successful release with it; with ``introduced``, the newest release that brought it
    (applied, even if since rolled back or failed verification; not a rollback to it), as
    release notes count."""
    ref = ref.strip()
    if _SEQ.fullmatch(ref):
        return ledger.get(int(ref.lstrip("#")))
    label = check_label(ref, option)
    found = next((r for r in labelled(ledger, label) if _counts(r, introduced)), None)
    if found is None:
        raise UsageError(
            f"{option} {label}: environment '{ledger.environment}' has no "
            f"{'applied' if introduced else 'successful'} release labelled {label}",
            hint=f"see its labels with: envman history {ledger.environment}",
        )
    return found


def _counts(release: Release, introduced: bool) -> bool:
    if not introduced:
        return release.succeeded
    return release.kind != Kind.ROLLBACK and release.status in APPLIED_ONCE


def seq_of(project: Project, environment: str, ref: str | None, option: str) -> int | None:
    """`rollback --to REF` as a seq (None when not given)."""
    if ref is None:
        return None
    if _SEQ.fullmatch(ref.strip()):
        return int(ref.strip().lstrip("#"))
    from envman.releases.ledger import Ledger
    from envman.releases.locate import store_for

    env = project.environment(environment)
    return resolve(Ledger(store_for(env), env.name), ref, option).seq
