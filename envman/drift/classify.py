"""From a plan's drift and changes to findings and a status (pure).

``drift`` and ``normal`` are usually the same plan (a normal plan reports both); they are kept
apart so that a refresh-only plan and a normal plan can be classified as well.

- Every difference of a ``resource_drift`` entry (state -> reality, ``elements.diff``:
  collections by element) is a candidate; a resource deleted outside terraform is one
  candidate with attribute ``*``. Differences equal in meaning are normalised at once.
- ``tags.K`` and ``tags_all.K`` changed to the same value are one candidate (the same drift).
- Ignored (``drift.ignore``) first, then provider normalisation: a difference the normal plan
  would leave as it is (``planned.leaves``), unless something new appeared (``Difference.new``)
  that no other managed resource accounts for (``accounting``); then acknowledged (an active
  baseline entry).
- Whatever is left is a finding; ``actionable`` when the normal plan would restore the
  expected value (``planned.reverts``).
- Elements in state that no managed resource accounts for (``unmanaged``: after an apply wrote
  them into state they no longer show as drift) are candidates too, as ``added`` elements.
- ``pending``: the normal plan changes something the drift does not explain (unapplied code).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from envman.drift import values
from envman.drift.accounting import Accounts
from envman.drift.configured import ConfigIndex, index_configuration
from envman.drift.elements import ADDED, EQUIVALENT, REMOVED, Difference, diff
from envman.drift.model import (
    DRIFTED,
    IN_SYNC,
    PENDING,
    REDACTED,
    Counts,
    EnvResult,
    Finding,
    fingerprint,
)
from envman.drift.planned import leaves, pending_changes, reverts
from envman.drift.rules import Acknowledgement, ignored_by
from envman.drift.unmanaged import unmanaged_elements
from envman.terraform.models import Plan, ResourceChange

__all__ = ["Context", "classify", "index_configuration", "pending_changes", "verdicts"]

DELETED_EXPECTED = "exists"
LEFT = "left by the plan"
ACCOUNTED = "accounted for by"


@dataclass(frozen=True)
class Context:
    environment: str
    ignore: tuple[str, ...] = ()
    acknowledged: Mapping[str, Acknowledgement] = field(default_factory=dict)
    previous: frozenset[str] = frozenset()  # unacknowledged fingerprints of the last result
    secrets: frozenset[str] = frozenset()  # values of sensitive variables
    in_state: bool = True  # also report unmanaged elements already in state (not only drift)
    known: frozenset[str] = frozenset()  # fingerprints of unmanaged elements found before


@dataclass(frozen=True)
class Candidate:
    address: str
    difference: Difference
    sensitive: bool
    deleted: bool = False

    @property
    def path(self) -> values.Path:
        return self.difference.path

    @property
    def kind(self) -> str:
        return "deleted" if self.deleted else self.difference.kind

    @property
    def attribute(self) -> str:
        return "*" if self.deleted or not self.path else values.format_path(self.path)


def candidates(plan: Plan, index: ConfigIndex, secrets: frozenset[str]) -> list[Candidate]:
    found: list[Candidate] = []
    for rc in plan.resource_drift:
        if rc.mode != "managed":
            continue
        change = rc.change
        if change.after is None:
            gone = Difference((), DELETED_EXPECTED, None)
            found.append(Candidate(rc.address, gone, False, deleted=True))
            continue
        for difference in diff(change.before, change.after):
            found.append(Candidate(rc.address, difference, _secret(rc, difference, index, secrets)))
    return _without_tags_all_echo(found)


def _secret(
    rc: ResourceChange, difference: Difference, index: ConfigIndex, secrets: frozenset[str]
) -> bool:
    change, path = rc.change, difference.path
    before_path = values.concrete(change.before, path) or path
    after_path = values.concrete(change.after, path) or path
    return (
        values.flag_at(change.before_sensitive, before_path)
        or values.flag_at(change.after_sensitive, after_path)
        or index.is_sensitive(rc.address, path)
        or values.contains_text(difference.expected, secrets)
        or values.contains_text(difference.actual, secrets)
    )


def _without_tags_all_echo(found: list[Candidate]) -> list[Candidate]:
    """One tag changed, seen in ``tags`` and ``tags_all``, is one candidate: ``tags.K`` when
    both had the same expected value, else ``tags_all.K`` (a default tag: its expected value
    is in ``tags_all`` only)."""

    def key(c: Candidate) -> tuple[str, str, str, str]:
        d = c.difference
        return (c.address, values.format_path(c.path[1:]), d.kind, repr(d.actual))

    tags = {key(c): c for c in found if c.path[:1] == ("tags",)}
    everything = {key(c): c for c in found if c.path[:1] == ("tags_all",)}
    dropped: set[int] = set()
    for shared in tags.keys() & everything.keys():
        tag, echo = tags[shared], everything[shared]
        same_before = repr(tag.difference.expected) == repr(echo.difference.expected)
        dropped.add(id(echo) if same_before else id(tag))
    return [c for c in found if id(c) not in dropped]


@dataclass(frozen=True)
class _Judge:
    """Everything classification asks of the plans, built once per environment."""

    index: ConfigIndex
    planned: dict[str, ResourceChange]
    accounts: Accounts
    parents: dict[str, Any]  # drifted address -> its refreshed value

    @classmethod
    def of(cls, drift: Plan, normal: Plan) -> _Judge:
        planned = {rc.address: rc for rc in normal.resource_changes if rc.mode == "managed"}
        refreshed: dict[str, Any] = {
            rc.address: rc.change.after for rc in drift.resource_drift if rc.mode == "managed"
        }
        for rc in planned.values():
            if rc.change.before is not None:
                refreshed[rc.address] = rc.change.before
        return cls(
            index_configuration(normal.configuration or drift.configuration),
            planned,
            Accounts(refreshed),
            refreshed,
        )

    def noise(self, candidate: Candidate) -> str | None:
        """Why the candidate is provider normalisation (see the module docstring), or None."""
        if candidate.deleted:
            return None
        difference = candidate.difference
        if difference.kind == EQUIVALENT:
            return EQUIVALENT
        rc = self.planned.get(candidate.address)
        configured = self.index.is_configured(candidate.address, candidate.path)
        if not leaves(rc, difference, configured):
            return None
        if not difference.new:
            return LEFT
        attribute = str(candidate.path[0]) if candidate.path else ""
        parent = self.parents.get(candidate.address)
        found = self.accounts.accounted_by(candidate.address, parent, attribute, difference.actual)
        return None if found is None else f"{ACCOUNTED} {found}"

    def actionable(self, candidate: Candidate) -> bool:
        rc = self.planned.get(candidate.address)
        if candidate.deleted:
            return rc is not None and (rc.change.actions.create() or rc.change.actions.replace())
        return reverts(rc, candidate.difference)


def _all_candidates(judge: _Judge, drift: Plan, context: Context) -> list[Candidate]:
    """The drift's candidates, then unmanaged elements in state that drift did not show."""
    secrets = context.secrets
    found = candidates(drift, judge.index, secrets)
    if not context.in_state:
        return found
    seen = {(c.address, c.attribute, _text(c.difference.actual)) for c in found if c.kind == ADDED}

    def known(address: str, attribute: str, element: Any) -> bool:
        printed = fingerprint(context.environment, address, attribute, {ADDED: element})
        return printed in context.known or printed in context.previous

    for address, attribute, element in unmanaged_elements(
        judge.parents, judge.index, judge.accounts, known
    ):
        if (address, attribute, _text(element)) in seen:
            continue
        path: values.Path = (attribute,)
        secret = judge.index.is_sensitive(address, path) or values.contains_text(element, secrets)
        found.append(Candidate(address, Difference(path, None, element, ADDED), secret))
    return found


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def verdicts(drift: Plan, normal: Plan) -> list[dict[str, Any]]:
    """Every candidate with what classification makes of it (for the golden corpus)."""
    judge = _Judge.of(drift, normal)
    out: list[dict[str, Any]] = []
    for candidate in _all_candidates(judge, drift, Context("dev")):
        noise = judge.noise(candidate)
        verdict = noise or ("actionable" if judge.actionable(candidate) else "finding")
        out.append(
            {
                "address": candidate.address,
                "attribute": candidate.attribute,
                "change": candidate.kind,
                "verdict": verdict,
            }
        )
    return sorted(out, key=lambda v: (v["address"], v["attribute"], v["change"], v["verdict"]))


def classify(context: Context, drift: Plan, normal: Plan) -> EnvResult:
    judge = _Judge.of(drift, normal)
    counts = Counts()
    findings: list[Finding] = []
    acknowledged: list[dict[str, Any]] = []
    for candidate in _all_candidates(judge, drift, context):
        prefixes = values.path_prefixes(candidate.path) if candidate.path else ["*"]
        if candidate.difference.kind != EQUIVALENT and ignored_by(
            context.ignore, candidate.address, prefixes
        ):
            counts.ignored += 1
            continue
        if judge.noise(candidate):
            counts.normalised += 1
            continue
        finding = _finding(context, candidate, judge.actionable(candidate))
        ack = context.acknowledged.get(finding.fingerprint)
        if ack is not None:
            counts.acknowledged += 1
            acknowledged.append(
                {
                    **finding.to_json(),
                    "new": False,
                    "reason": ack.reason,
                    "expires": ack.to_json()["expires"],
                }
            )
            continue
        findings.append(finding)
    findings.sort(key=lambda f: (f.address, f.attribute, f.change, f.fingerprint))
    counts.findings = len(findings)
    counts.new = sum(1 for f in findings if f.new)
    counts.actionable = sum(1 for f in findings if f.actionable)
    pending = pending_changes(normal, drift)
    status = DRIFTED if findings else PENDING if pending else IN_SYNC
    return EnvResult(context.environment, status, None, counts, findings, acknowledged, pending)


def _finding(context: Context, candidate: Candidate, actionable: bool) -> Finding:
    difference = candidate.difference
    expected = REDACTED if candidate.sensitive else difference.expected
    actual = REDACTED if candidate.sensitive else difference.actual
    attribute = candidate.attribute
    kind = candidate.kind
    if kind in (ADDED, REMOVED):  # the element is the identity: two added elements differ
        element = actual if kind == ADDED else expected
        print_ = fingerprint(context.environment, candidate.address, attribute, {kind: element})
    else:
        print_ = fingerprint(context.environment, candidate.address, attribute, actual)
    return Finding(
        address=candidate.address,
        attribute=attribute,
        expected=expected,
        actual=actual,
        fingerprint=print_,
        actionable=actionable,
        sensitive=candidate.sensitive,
        change=kind,
        new=print_ not in context.previous,
    )
