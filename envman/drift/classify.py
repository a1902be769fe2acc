"""From a plan's drift and changes to findings and a status (pure).

``drift`` and ``normal`` are usually the same plan (a normal plan reports both); they are kept
apart so that a refresh-only plan and a normal plan can be classified as well.

- Every leaf difference of a ``resource_drift`` entry (state -> reality) is a candidate; a
  resource deleted outside terraform is one candidate with attribute ``*``.
- ``tags_all.K`` is dropped when ``tags.K`` changed the same way (the same drift, twice).
- Ignored (``drift.ignore``) first, then provider normalisation (an attribute no one configured
  that the normal plan would not touch), then acknowledged (an active baseline entry).
- Whatever is left is a finding; ``actionable`` when the normal plan would revert it.
- ``pending``: the normal plan changes something the drift does not explain (unapplied code).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from envman.drift import values
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
from envman.drift.rules import Acknowledgement, ignored_by
from envman.terraform.models import Plan, ResourceChange

DELETED_EXPECTED = "exists"


@dataclass(frozen=True)
class Context:
    environment: str
    ignore: tuple[str, ...] = ()
    acknowledged: Mapping[str, Acknowledgement] = field(default_factory=dict)
    previous: frozenset[str] = frozenset()  # unacknowledged fingerprints of the last result
    secrets: frozenset[str] = frozenset()  # values of sensitive variables


@dataclass(frozen=True)
class ConfigIndex:
    configured: dict[str, frozenset[str]]  # configuration address -> configured top-level keys
    sensitive: dict[str, frozenset[str]]  # ... -> keys whose expression reads a sensitive var

    def is_configured(self, address: str, path: values.Path) -> bool:
        keys = self.configured.get(values.strip_instance_keys(address))
        if keys is None or not path:
            return True  # not in the configuration (being removed): never call it noise
        key = path[0]
        return key in keys or (key == "tags_all" and "tags" in keys)

    def is_sensitive(self, address: str, path: values.Path) -> bool:
        keys = self.sensitive.get(values.strip_instance_keys(address), frozenset())
        return bool(path) and path[0] in keys


@dataclass(frozen=True)
class Candidate:
    address: str
    path: values.Path
    expected: Any
    actual: Any
    sensitive: bool
    deleted: bool = False

    @property
    def attribute(self) -> str:
        return "*" if self.deleted or not self.path else values.format_path(self.path)


def index_configuration(configuration: Mapping[str, Any]) -> ConfigIndex:
    configured: dict[str, frozenset[str]] = {}
    sensitive: dict[str, frozenset[str]] = {}

    def walk(module: Mapping[str, Any], prefix: str, inherited: set[str]) -> None:
        own = {
            n
            for n, v in (module.get("variables") or {}).items()
            if isinstance(v, dict) and v.get("sensitive")
        } | inherited
        for resource in module.get("resources") or []:
            address = prefix + str(resource.get("address", ""))
            expressions = resource.get("expressions") or {}
            configured[address] = frozenset(expressions)
            sensitive[address] = frozenset(k for k, e in expressions.items() if _reads_any(e, own))
        for name, call in (module.get("module_calls") or {}).items():
            passed = {k for k, e in (call.get("expressions") or {}).items() if _reads_any(e, own)}
            walk(call.get("module") or {}, f"{prefix}module.{name}.", passed)

    walk(configuration.get("root_module") or {}, "", set())
    return ConfigIndex(configured, sensitive)


def _reads_any(expression: Any, variables: set[str]) -> bool:
    if not variables:
        return False
    wanted = {f"var.{n}" for n in variables}
    for ref in _references(expression):
        head = ".".join(values.strip_instance_keys(ref).split(".")[:2])
        if head in wanted:
            return True
    return False


def _references(expression: Any) -> Iterable[str]:
    if isinstance(expression, dict):
        for key, value in expression.items():
            if key == "references" and isinstance(value, list):
                yield from (str(v) for v in value)
            else:
                yield from _references(value)
    elif isinstance(expression, list):
        for item in expression:
            yield from _references(item)


def candidates(plan: Plan, index: ConfigIndex, secrets: frozenset[str]) -> list[Candidate]:
    found: list[Candidate] = []
    for rc in plan.resource_drift:
        if rc.mode != "managed":
            continue
        change = rc.change
        if change.after is None:
            found.append(Candidate(rc.address, (), DELETED_EXPECTED, None, False, deleted=True))
            continue
        for path, before, after in values.diff(change.before, change.after):
            secret = (
                values.flag_at(change.before_sensitive, path)
                or values.flag_at(change.after_sensitive, path)
                or index.is_sensitive(rc.address, path)
                or values.contains_text(before, secrets)
                or values.contains_text(after, secrets)
            )
            found.append(Candidate(rc.address, path, before, after, secret))
    return _without_tags_all_echo(found)


def _without_tags_all_echo(found: list[Candidate]) -> list[Candidate]:
    tags = {
        (c.address, c.path[1:], repr(c.expected), repr(c.actual))
        for c in found
        if c.path[:1] == ("tags",)
    }
    return [
        c
        for c in found
        if not (
            c.path[:1] == ("tags_all",)
            and (c.address, c.path[1:], repr(c.expected), repr(c.actual)) in tags
        )
    ]


def touches(rc: ResourceChange | None, path: values.Path) -> bool:
    """Whether the normal plan sets ``path`` to a known value different from reality."""
    if rc is None or rc.change.actions.noop() or rc.change.actions.delete():
        return False
    before = values.value_at(rc.change.before, path)
    after = values.value_at(rc.change.after, path)
    if after is None and values.flag_at(rc.change.after_unknown, path):
        return False  # computed after apply: a consequence, not a revert
    return not values.same(before, after)


def _actionable(rc: ResourceChange | None, candidate: Candidate) -> bool:
    if rc is None:
        return False
    actions = rc.change.actions
    if candidate.deleted:
        return actions.create() or actions.replace()
    return (actions.update() or actions.replace()) and touches(rc, candidate.path)


def pending_changes(normal: Plan, drift: Plan) -> list[dict[str, str]]:
    """Changes of the normal plan that drift does not explain: unapplied code or inputs."""
    drifted = {rc.address: rc for rc in drift.resource_drift}
    pending: list[dict[str, str]] = []
    for rc in normal.resource_changes:
        if rc.mode != "managed" or rc.change.actions.noop():
            continue
        if not _explained(rc, drifted.get(rc.address)):
            pending.append({"address": rc.address, "action": str(rc.change.actions)})
    if not pending and not drift.resource_drift:
        for name, change in sorted(normal.output_changes.items()):
            if not change.actions.noop():
                pending.append({"address": f"output.{name}", "action": str(change.actions)})
    return pending


def _explained(rc: ResourceChange, drifted: ResourceChange | None) -> bool:
    """The change only puts back what the state says (it reverts the drift)."""
    if drifted is None or rc.change.actions.delete():
        return False
    if drifted.change.after is None:
        return rc.change.actions.create()
    change = rc.change
    state = drifted.change.before
    for path, _before, after in values.diff(change.before, change.after):
        if after is None and values.flag_at(change.after_unknown, path):
            continue
        if not values.same(values.value_at(change.after, path), values.value_at(state, path)):
            return False
    return True


def classify(context: Context, drift: Plan, normal: Plan) -> EnvResult:
    index = index_configuration(normal.configuration or drift.configuration)
    planned = {rc.address: rc for rc in normal.resource_changes if rc.mode == "managed"}
    counts = Counts()
    findings: list[Finding] = []
    acknowledged: list[dict[str, Any]] = []
    for candidate in candidates(drift, index, context.secrets):
        rc = planned.get(candidate.address)
        prefixes = values.path_prefixes(candidate.path) if candidate.path else ["*"]
        if ignored_by(context.ignore, candidate.address, prefixes):
            counts.ignored += 1
            continue
        if (
            not candidate.deleted
            and not index.is_configured(candidate.address, candidate.path)
            and not touches(rc, candidate.path)
        ):
            counts.normalised += 1
            continue
        finding = _finding(context, candidate, _actionable(rc, candidate))
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
    findings.sort(key=lambda f: (f.address, f.attribute))
    counts.findings = len(findings)
    counts.new = sum(1 for f in findings if f.new)
    counts.actionable = sum(1 for f in findings if f.actionable)
    pending = pending_changes(normal, drift)
    status = DRIFTED if findings else PENDING if pending else IN_SYNC
    return EnvResult(context.environment, status, None, counts, findings, acknowledged, pending)


def _finding(context: Context, candidate: Candidate, actionable: bool) -> Finding:
    expected = REDACTED if candidate.sensitive else candidate.expected
    actual = REDACTED if candidate.sensitive else candidate.actual
    attribute = candidate.attribute
    print_ = fingerprint(context.environment, candidate.address, attribute, actual)
    return Finding(
        address=candidate.address,
        attribute=attribute,
        expected=expected,
        actual=actual,
        fingerprint=print_,
        actionable=actionable,
        sensitive=candidate.sensitive,
        change="deleted" if candidate.deleted else "update",
        new=print_ not in context.previous,
    )
