"""The drift check of one environment, for every shape: one plan per stack — the environment's
own, or each component's with its pins and the upstream outputs it reads — never an apply,
never a state write (docs/drift.md). One stack failing never hides the others; the result is
recorded as ``drift/last.json`` in the environment's ledger.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from envman.config.stack import stack_code_digest
from envman.drift.classify import Context, classify
from envman.drift.detect import (
    LAST_DOC,
    CheckOptions,
    known_fingerprints,
    last_document,
    notification_state,
    previous_fingerprints,
    run_plans,
)
from envman.drift.model import (
    DRIFTED,
    ERROR,
    IN_SYNC,
    PENDING,
    EnvResult,
    Finding,
    error_result,
)
from envman.drift.rules import BASELINE_DOC, Acknowledgement, active_fingerprints, baseline_from_doc
from envman.drift.state_scan import reads_state, state_mark, state_suspect
from envman.errorlog import bug_report
from envman.errors import EnvmanError, Interrupted
from envman.releases.chain import Pins, running_entry
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.models import IMPLICIT
from envman.secrets.redactor import MIN_LENGTH, known, remember_all
from envman.terraform.errors import StateLocked
from envman.terraform.state_direct import state_document
from envman.workspace import Workspace

RANK = {IN_SYNC: 0, PENDING: 1, DRIFTED: 2}


@dataclass(frozen=True)
class Stack:
    """One stack to check: the environment's own (``component`` None), or one component's
    with its pins and the upstream outputs it reads (``wired``)."""

    workspace: Workspace
    component: str | None = None
    pins: Pins | None = None
    wired: Mapping[str, Any] = field(default_factory=dict)
    problem: EnvmanError | None = None  # why it cannot be checked (reported as its error)


Stacks = Callable[[Workspace, Ledger], list[Stack]]
Extra = Callable[[Workspace, Ledger], list[Finding]]  # findings of no plan (orphans)


def own_stack(workspace: Workspace, ledger: Ledger) -> list[Stack]:
    return [Stack(workspace)]


@dataclass(frozen=True)
class _Seen:
    """What the ledger says before the check: the last result and the baseline."""

    ledger: Ledger
    previous: dict[str, Any] | None
    baseline: list[Acknowledgement]


def check_environment(
    workspace: Workspace,
    options: CheckOptions,
    stacks: Stacks = own_stack,
    extra: Extra | None = None,
) -> EnvResult:
    """The environment's result over its stacks; any failure becomes an ``error`` result,
    never an exception (except an interrupt, which stops the whole run)."""
    env = workspace.env
    started = time.monotonic()
    seen: _Seen | None = None
    mark: dict[str, Any] | None = None
    try:
        ledger = Ledger(store_for(env), env.name)
        previous = ledger.read_doc(LAST_DOC)
        seen = _Seen(ledger, previous, baseline_from_doc(ledger.read_doc(BASELINE_DOC)))
        result, mark = _check_stacks(stacks(workspace, ledger), seen, options)
        if extra is not None:
            _add_findings(result, extra(workspace, ledger), seen)
    except Interrupted:
        raise
    except StateLocked as exc:
        result = error_result(env.name, str(exc), lock=exc.lock)
    except EnvmanError as exc:
        result = error_result(env.name, str(exc))
    except Exception as exc:  # a bug must not hide the other environments
        result = error_result(env.name, bug_report(exc, workspace.project.state_root))
    result.duration_s = time.monotonic() - started
    _record(result, seen, options, mark)
    return result


def _check_stacks(
    stacks: list[Stack], seen: _Seen, options: CheckOptions
) -> tuple[EnvResult, dict[str, Any] | None]:
    env = stacks[0].workspace.env.name if stacks else ""
    context = Context(
        environment=env,
        ignore=tuple(stacks[0].workspace.env.config.drift.ignore) if stacks else (),
        acknowledged=active_fingerprints(seen.baseline, options.moment),
        previous=previous_fingerprints(seen.previous),
    )
    result = EnvResult(env, IN_SYNC)
    errors: list[str] = []
    mark: dict[str, Any] | None = None
    for stack in stacks:  # one stack failing never hides the others
        prefix = f"{stack.component}: " if stack.component else ""
        try:
            part, stack_mark = _check_stack(stack, context, seen)
        except StateLocked as exc:
            errors.append(f"{prefix}{exc}")
            result.lock = result.lock or exc.lock
            continue
        except EnvmanError as exc:
            if isinstance(exc, Interrupted):
                raise
            errors.append(f"{prefix}{exc}")
            continue
        mark = stack_mark if stack.component is None else mark
        _merge(result, stack.component, part)
    _settle_errors(result, errors)
    return result, mark


def _check_stack(
    stack: Stack, context: Context, seen: _Seen
) -> tuple[EnvResult, dict[str, Any] | None]:
    if stack.problem is not None:
        raise stack.problem
    workspace = stack.workspace
    running = running_entry(seen.ledger, stack.component or IMPLICIT)
    absorbed = running.entry.absorbed_drift if running is not None else None
    scoped = replace(context, known=known_fingerprints(seen.previous, seen.baseline, absorbed))
    mark, always = None, None
    if stack.component is None:  # the environment's own stack: what the last check read
        document = state_document(workspace)
        code = stack_code_digest(workspace.stack_dir, workspace.facts_cache)
        mark = state_mark(document, code)
        suspect = state_suspect(document, (seen.previous or {}).get("state"), code)
        always = reads_state(seen.previous, absorbed) or suspect
    else:
        scoped = replace(scoped, environment=f"{context.environment}/{stack.component}")
    plan, secrets = run_plans(workspace, stack.pins, stack.wired, always_show=always)
    remember_all(secrets)
    secrets = secrets | {s for s in known() if len(s) >= MIN_LENGTH}
    return classify(replace(scoped, secrets=secrets), drift=plan, normal=plan), mark


def _merge(result: EnvResult, name: str | None, part: EnvResult) -> None:
    if name is None:
        result.findings.extend(part.findings)
        result.acknowledged.extend(part.acknowledged)
        result.pending_changes.extend(part.pending_changes)
    else:
        result.findings.extend(replace(f, component=name) for f in part.findings)
        result.acknowledged.extend({**a, "component": name} for a in part.acknowledged)
        result.pending_changes.extend({**p, "component": name} for p in part.pending_changes)
    for key, value in vars(part.counts).items():
        setattr(result.counts, key, getattr(result.counts, key) + value)
    if part.status != ERROR and RANK[part.status] > RANK[result.status]:
        result.status = part.status


def _add_findings(result: EnvResult, findings: list[Finding], seen: _Seen) -> None:
    """Findings that no plan showed (an orphaned component): drifted, whatever else was."""
    before = previous_fingerprints(seen.previous)
    for finding in findings:
        fresh = finding.fingerprint not in before
        result.findings.append(replace(finding, new=fresh))
        result.counts.findings += 1
        result.counts.new += int(fresh)
    if findings and result.status != DRIFTED:
        if result.status == ERROR and result.error:
            result.warnings.append(f"not checked: {result.error}")
        result.status = DRIFTED


def _settle_errors(result: EnvResult, errors: list[str]) -> None:
    """Stacks that could not be checked: the environment is `error` unless another one
    drifted (drift wins, as across environments); each failure is said either way."""
    if not errors:
        return
    result.error = "; ".join(errors)
    if result.status != DRIFTED:
        result.status = ERROR
    else:
        result.warnings.extend(f"not checked: {line}" for line in errors)


def _record(
    result: EnvResult, seen: _Seen | None, options: CheckOptions, mark: dict[str, Any] | None
) -> None:
    previous = seen.previous if seen is not None else None
    result.to_notify, notified = notification_state(result, previous, options.notify)
    if seen is None or not options.record:
        return
    try:
        seen.ledger.update_doc(  # conditional: a concurrent check or ack is never lost
            LAST_DOC, lambda doc: last_document(result, doc, options.checked_at, notified, mark)
        )
    except EnvmanError as exc:
        result.warnings.append(f"could not record the result: {exc}")
