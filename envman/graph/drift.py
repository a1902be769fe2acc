"""Drift of an environment made of components: one plan per component (never an apply),
each with its pins and its upstreams' state outputs; findings name their component."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from envman.drift.classify import Context, classify
from envman.drift.detect import (
    LAST_DOC,
    CheckOptions,
    last_document,
    notification_state,
    previous_fingerprints,
    run_plans,
)
from envman.drift.model import DRIFTED, ERROR, IN_SYNC, PENDING, EnvResult, error_result
from envman.drift.rules import BASELINE_DOC, active_fingerprints, baseline_from_doc
from envman.errors import EnvmanError, Interrupted
from envman.graph.plan import GraphTarget, component_workspace
from envman.graph.select import graph_target
from envman.releases.chain import component_pins
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.secrets.redactor import MIN_LENGTH, known, remember, remember_all
from envman.terraform.errors import StateLocked
from envman.terraform.output import read_outputs
from envman.workspace import Workspace

RANK = {IN_SYNC: 0, PENDING: 1, DRIFTED: 2}


def check_graph(workspace: Workspace, options: CheckOptions) -> EnvResult:
    """The environment's result over its components; a failure becomes an `error` result."""
    env = workspace.env
    started = time.monotonic()
    ledger: Ledger | None = None
    previous: dict[str, Any] | None = None
    try:
        ledger = Ledger(store_for(env), env.name)
        previous = ledger.read_doc(LAST_DOC)
        baseline = baseline_from_doc(ledger.read_doc(BASELINE_DOC))
        context = Context(
            environment=env.name,
            ignore=tuple(env.config.drift.ignore),
            acknowledged=active_fingerprints(baseline, options.moment),
            previous=previous_fingerprints(previous),
        )
        target = graph_target(workspace.project, env)
        result = EnvResult(env.name, IN_SYNC)
        errors: list[str] = []
        for name in target.names:  # one component failing never hides the others
            try:
                _merge(result, name, _check_component(target, ledger, context, name))
            except StateLocked as exc:
                errors.append(f"{name}: {exc}")
                result.lock = result.lock or exc.lock
            except EnvmanError as exc:
                if isinstance(exc, Interrupted):
                    raise
                errors.append(f"{name}: {exc}")
        _settle_errors(result, errors)
    except Interrupted:
        raise
    except StateLocked as exc:
        result = error_result(env.name, str(exc), lock=exc.lock)
    except EnvmanError as exc:
        result = error_result(env.name, str(exc))
    result.duration_s = time.monotonic() - started
    result.to_notify, notified = notification_state(result, previous, options.notify)
    if ledger is not None and options.record:
        try:
            ledger.update_doc(
                LAST_DOC, lambda doc: last_document(result, doc, options.checked_at, notified)
            )
        except EnvmanError as exc:
            result.warnings.append(f"could not record the result: {exc}")
    return result


def _check_component(target: GraphTarget, ledger: Ledger, context: Context, name: str) -> EnvResult:
    workspace = component_workspace(target, name)
    wired: dict[str, Any] = {}
    for item in target.components.specs[name].inputs:
        upstream = component_workspace(target, item.upstream)
        upstream.ensure_init()
        value = read_outputs(upstream.terraform).get(item.output)
        if value is None:
            raise EnvmanError(
                f"component '{item.upstream}' of '{target.env.name}' has no output "
                f"'{item.output}' in its state; drift of '{name}' cannot be checked",
                hint=f"apply it: envman apply {target.env.name}",
            )
        if value.sensitive:
            remember(value.value)
        wired[item.variable] = value.value
    plan, secrets = run_plans(workspace, component_pins(ledger, name), wired)
    remember_all(secrets)
    secrets = secrets | {s for s in known() if len(s) >= MIN_LENGTH}
    scoped = replace(context, environment=f"{target.env.name}/{name}", secrets=secrets)
    return classify(scoped, drift=plan, normal=plan)


def _settle_errors(result: EnvResult, errors: list[str]) -> None:
    """Components that could not be checked: the environment is `error` unless another one
    drifted (drift wins, as across environments); each failure is said either way."""
    if not errors:
        return
    result.error = "; ".join(errors)
    if result.status != DRIFTED:
        result.status = ERROR
    else:
        result.warnings.extend(f"not checked: {line}" for line in errors)


def _merge(result: EnvResult, name: str, part: EnvResult) -> None:
    result.findings.extend(replace(f, component=name) for f in part.findings)
    result.acknowledged.extend({**a, "component": name} for a in part.acknowledged)
    result.pending_changes.extend({**p, "component": name} for p in part.pending_changes)
    for key, value in vars(part.counts).items():
        setattr(result.counts, key, getattr(result.counts, key) + value)
    if part.status != ERROR and RANK[part.status] > RANK[result.status]:
        result.status = part.status
