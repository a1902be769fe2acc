"""Check one environment for drift: one plan, never an apply, never a state write.

1. the inputs of the current release (pinned) plus the environment's tfvars, as for any plan;
2. a normal ``plan`` (takes the state lock with ``drift.lock_timeout``), saved in its run
   folder ``.envman/envs/<env>/runs/<id>/``. Its refresh gives the drift (``resource_drift``:
   state -> reality, the same set a ``-refresh-only`` plan reports) and its changes say what
   applying would do (``resource_changes``), so one plan serves both and the provider starts
   once, not twice;
3. ``show -json`` of that plan, only when its streamed messages report drift or changes, or
   when the state may hold elements nobody manages (``reads_state``: the last check had
   findings or acknowledgements, the current release recorded drift its apply kept, or the
   state document itself holds an element no companion accounts for, ``state_scan``, and
   changed since the last check read it): an environment in sync costs one plan (``show``
   starts the provider again, ~2 s) and, where envman can read the state object directly,
   one read of it;
4. classify (``envman.drift.classify``) and record the result as ``drift/last.json`` in the
   environment's ledger, so the next run knows which findings are new and ``status`` shows it.

The saved plan is never applied: it lives apart from ``envman plan``'s saved plan, no plan
metadata is written for it, it is deleted once read, so ``apply --plan`` can never pick it up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from envman.drift.companions import SCANNED_TYPES
from envman.drift.model import ERROR, EnvResult, Finding
from envman.drift.rules import (
    Acknowledgement,
)
from envman.drift.state_scan import state_suspect
from envman.errors import EnvmanError
from envman.inputs import GivenInputs, build_inputs, scrub_overrides
from envman.planning import check_required, current_pins
from envman.releases.chain import Pins
from envman.runs.folder import finish_run
from envman.terraform.errors import terraform_error
from envman.terraform.models import Plan
from envman.terraform.plan import PlanOptions, StreamedPlan, build_plan_args, protect_plan_file
from envman.terraform.runner import Completed, Follow
from envman.terraform.show import show_plan
from envman.terraform.state_direct import state_document
from envman.workspace import Workspace

LAST_DOC = "drift/last.json"
WORK_DIR = "drift"
PLAN_NAME = "drift.tfplan"


@dataclass(frozen=True)
class CheckOptions:
    moment: datetime  # "now" for baseline expiry
    checked_at: str
    notify: bool = False  # the caller sends notifications for ``EnvResult.to_notify``
    record: bool = True


def plan_failure(environment: str, done: Completed, waited: str) -> EnvmanError:
    return terraform_error("terraform plan", done, environment=environment, waited=waited)


def _plan(workspace: Workspace, options: PlanOptions) -> StreamedPlan:
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.unlink(missing_ok=True)
    streamed = StreamedPlan()
    done = workspace.terraform.run(
        build_plan_args(options),
        follow=Follow(streamed.feed, events=options.events),
        check=False,
        what="terraform plan",
    )
    protect_plan_file(options.out)
    if done.returncode != 0:
        options.out.unlink(missing_ok=True)
        raise plan_failure(workspace.env.name, done, options.lock_timeout)
    return streamed


def nothing_to_show(streamed: StreamedPlan) -> bool:
    """The streamed messages report no drift, no planned change and no output change."""
    return not streamed.drifted and not streamed.planned and not streamed.summary.has_changes


def sensitive_values(plan: Plan) -> frozenset[str]:
    """Values of the root module's sensitive variables (to redact wherever they show up)."""
    declared = (plan.configuration.get("root_module") or {}).get("variables") or {}
    given = plan.variables
    found: set[str] = set()
    for name, spec in declared.items():
        if isinstance(spec, dict) and spec.get("sensitive"):
            value = (given.get(name) or {}).get("value")
            texts = [value] if isinstance(value, str) else _strings(value)
            found.update(t for t in texts if len(t) >= 4)
    return frozenset(found)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def run_plans(
    workspace: Workspace,
    pins: Pins | None = None,
    typed: Mapping[str, Any] | None = None,
    always_show: bool | None = None,
) -> tuple[Plan, frozenset[str]]:
    """One plan, shown when it has anything to show or ``always_show`` (None: when the state
    document is suspect, ``state_suspect``); the secrets to redact. A component
    (docs/components.md) gives its own pins and the upstream outputs it reads (``typed``)."""
    env = workspace.env
    pins = pins if pins is not None else current_pins(workspace)
    run = workspace.new_run("drift")  # its own var files, plan and event log
    folder = run.folder
    given = GivenInputs(pinned=pins.inputs, pinned_from=pins.seq, typed_overrides=typed or {})
    inputs = build_inputs(workspace.stack, env.var_files(), folder, given)
    check_required(workspace, inputs.pinned, inputs.overrides)
    workspace.ensure_init()
    waited = f"{int(env.config.drift.lock_timeout.total_seconds())}s"
    options = PlanOptions(
        out=folder / PLAN_NAME,
        var_files=inputs.var_files,
        lock_timeout=waited,
        events=run.events("plan"),
    )
    try:
        streamed = _plan(workspace, options)
        if always_show is None:
            always_show = state_suspect(state_document(workspace))
        if nothing_to_show(streamed) and not always_show:
            return Plan(
                format_version="1.2", terraform_version=workspace.binary.version
            ), frozenset()
        # classification reads the planned values of drifted resources only
        plan = show_plan(
            workspace.terraform, options.out, changes_of_drifted_only=True, scanned=SCANNED_TYPES
        )
        return plan, sensitive_values(plan)
    finally:  # plan files (and envman's var files) hold secrets; drift never applies them
        options.out.unlink(missing_ok=True)
        scrub_overrides(run.folder)
        finish_run(run)


def known_fingerprints(
    previous: dict[str, Any] | None, baseline: list[Acknowledgement], absorbed: Any
) -> frozenset[str]:
    """Fingerprints found before: acknowledged last time, in the baseline (expired too), or
    kept by the current release's apply (``classify.Context.known``)."""
    acked = (previous or {}).get("acknowledged") or []
    kept = absorbed if isinstance(absorbed, list) else []
    found = {str(a.get("fingerprint")) for a in [*acked, *kept] if isinstance(a, dict)}
    return frozenset(found | {entry.fingerprint for entry in baseline})


def previous_fingerprints(previous: dict[str, Any] | None) -> frozenset[str]:
    findings = (previous or {}).get("findings") or []
    return frozenset(str(f.get("fingerprint")) for f in findings if isinstance(f, dict))


def notified_fingerprints(previous: dict[str, Any] | None) -> frozenset[str]:
    """Fingerprints already notified (a document without the key: all of its findings)."""
    if previous is None:
        return frozenset()
    if "notified" not in previous:
        return previous_fingerprints(previous)
    return frozenset(str(f) for f in previous.get("notified") or [])


def notification_state(
    result: EnvResult, previous: dict[str, Any] | None, notify: bool
) -> tuple[list[Finding], list[str]]:
    """The findings to notify about now (never notified while present), and the notified set
    to record: a finding that goes away and comes back is notified again."""
    before = notified_fingerprints(previous)
    if result.status == ERROR:
        return [], sorted(before)
    current = {f.fingerprint for f in result.findings}
    fresh = [f for f in result.findings if f.fingerprint not in before]
    notified = (before & current) | ({f.fingerprint for f in fresh} if notify else set())
    return fresh, sorted(notified)


def last_document(
    result: EnvResult,
    previous: dict[str, Any] | None,
    checked_at: str,
    notified: list[str],
    state: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What ``drift/last.json`` holds. An error keeps the findings of the last good check, so
    a failed run never makes old drift look new (and notify) again."""
    doc: dict[str, Any] = {
        "schema": 1,
        "environment": result.environment,
        "status": result.status,
        "checked_at": checked_at,
        "error": result.error,
        "counts": result.counts.to_json(),
        "findings": [f.to_json() for f in result.findings],
        "acknowledged": list(result.acknowledged),
        "notified": notified,
    }
    if state is not None and result.status != ERROR:
        doc["state"] = state  # the state this check read (state_suspect)
    if result.status == ERROR and previous:
        doc["findings"] = list(previous.get("findings") or [])
        doc["counts"] = previous.get("counts") or doc["counts"]
        doc["findings_checked_at"] = previous.get("findings_checked_at") or previous.get(
            "checked_at"
        )
    return doc
