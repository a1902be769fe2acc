"""Planning an environment: inputs, init, a saved plan and what it depended on."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envman.config.stack import stack_code_digest
from envman.config.tfvars import tfvars_names
from envman.errors import EnvmanError, UsageError
from envman.inputs import (
    GivenInputs,
    InputOptions,
    RunInputs,
    build_inputs,
    scrub_overrides,
)
from envman.releases.chain import Pins
from envman.runs.folder import Run, point_last_plan, spend_plan
from envman.secrets.files import write_private
from envman.terraform.models import Action, PlanSummary
from envman.terraform.plan import PlanOptions, StreamedPlan, run_plan
from envman.terraform.runner import EventHandler
from envman.timeutil import iso, now
from envman.workspace import Workspace


@dataclass
class PlannedRun:
    workspace: Workspace
    inputs: RunInputs
    plan_file: Path
    streamed: StreamedPlan
    stack_digest: str
    current_seq: int | None = None
    run: Run | None = None  # the run folder holding the plan file and its var files
    plan_sha256: str = ""  # the digest of the plan that was shown, checked before apply

    @property
    def recorded_inputs(self) -> dict[str, Any]:
        return self.inputs.recorded(self.workspace.stack.sensitive_variables())


def carried_variables(workspace: Workspace) -> frozenset[str]:
    """Release-carried variables: every environment's promotion.variables targets and this
    environment's release_variables (docs/releases.md, "Inputs, pins and rollback")."""
    names = set(workspace.env.config.release_variables)
    for env in workspace.project.environments():
        if env.config.promotion is not None:
            names |= set(env.config.promotion.variables)
    return frozenset(names)


def current_pins(workspace: Workspace) -> Pins:
    """The pins of the environment's current release (empty when it has none).

    A record written before releases kept `values` pinned every --set; of those, only the
    release-carried variables stay pinned."""
    from envman.releases.ledger import Ledger
    from envman.releases.locate import store_for

    if workspace.env.config.backend is None:
        return Pins({}, None)
    ledger = Ledger(store_for(workspace.env), workspace.env.name)
    current = ledger.current()
    if current is None:
        return Pins({}, None)
    if current.values is None:
        carried = carried_variables(workspace)
        return Pins({k: v for k, v in current.inputs.items() if k in carried}, current.seq)
    return Pins(dict(current.inputs), current.seq)


def input_options(workspace: Workspace, **given: Any) -> InputOptions:
    """InputOptions of a run of this workspace (carried variables and root filled in)."""
    return InputOptions(carried=carried_variables(workspace), root=workspace.project.root, **given)


def check_required(
    workspace: Workspace, given: Mapping[str, Any], overrides: Mapping[str, Any]
) -> None:
    """Every required variable of the stack is given somewhere, before terraform runs."""
    names: set[str] = set(given) | set(overrides)
    for path in workspace.env.var_files():
        names |= tfvars_names(path, workspace.facts_cache)
    names |= {k[len("TF_VAR_") :] for k in os.environ if k.startswith("TF_VAR_")}
    missing = sorted(
        n for n, v in workspace.stack.variables.items() if v.required and n not in names
    )
    if missing:
        raise UsageError(
            f"environment '{workspace.env.name}' does not give required variable"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            hint=f"set it in {workspace.env.directory / 'terraform.tfvars'} or with --set NAME=VALUE",
        )


@dataclass(frozen=True)
class PlanInputs:
    """What a plan is given: --set (strings) or typed values, pins (default: the current
    release's) and how the inputs are asked for (default: ``input_options(workspace)``)."""

    overrides: Mapping[str, str] = field(default_factory=dict)
    typed_overrides: Mapping[str, Any] = field(default_factory=dict)
    pins: Pins | None = None
    options: InputOptions | None = None


def plan_environment(
    workspace: Workspace,
    given: PlanInputs | None = None,
    *,
    on_event: EventHandler | None = None,
    destroy: bool = False,
    run: Run | None = None,
) -> PlannedRun:
    """Plan into a run folder of its own (a new one unless ``run`` is given)."""
    given = given or PlanInputs()
    env = workspace.env
    workspace.check_backend()  # a wrong backend is reported as such, before the ledger is read
    pins = given.pins if given.pins is not None else current_pins(workspace)
    run = run or workspace.new_run("plan")
    inputs = build_inputs(
        workspace.stack,
        env.var_files(),
        run.folder,
        GivenInputs(
            pinned=pins.inputs,
            pinned_from=pins.seq,
            overrides=given.overrides,
            typed_overrides=given.typed_overrides,
        ),
        given.options or input_options(workspace),
    )
    check_required(workspace, inputs.pinned, inputs.overrides)
    workspace.ensure_init(on_event)
    options = PlanOptions(
        out=run.plan_file,
        var_files=inputs.var_files,
        lock_timeout=workspace.lock_timeout,
        destroy=destroy,
        events=run.events("plan"),
    )
    try:
        streamed = run_plan(workspace.terraform, options, on_event)
    finally:
        scrub_overrides(run.folder)  # --set values (maybe secrets) do not stay on disk
    return PlannedRun(
        workspace,
        inputs,
        run.plan_file,
        streamed,
        stack_code_digest(workspace.stack_dir, workspace.facts_cache),
        pins.seq,
        run=run,
        plan_sha256=_sha256(run.plan_file),
    )


def save_plan_meta(planned: PlannedRun) -> None:
    """Keep the plan for `apply --plan`: its metadata, and `last-plan` pointing at its run."""
    meta = {
        "environment": planned.workspace.env.name,
        "created_at": iso(now()),
        "plan_sha256": planned.plan_sha256 or _sha256(planned.plan_file),
        "inputs_digest": planned.inputs.digest,
        "stack_digest": planned.stack_digest,
        "current_seq": planned.current_seq,
        "recorded_inputs": planned.recorded_inputs,
        "recorded_fields": planned.inputs.record_fields(),
        "summary": {
            **planned.streamed.summary.as_dict(),
            "outputs_changed": planned.streamed.summary.outputs_changed,
        },
        # resources the plan's refresh found drifted: apply --plan says what it keeps of them
        "drifted": [[address, str(action)] for address, action in planned.streamed.drifted],
    }
    if planned.run is None:
        raise EnvmanError("internal error: a plan to save needs its run folder")
    write_private(planned.run.meta_file, json.dumps(meta, indent=2, sort_keys=True), redacted=False)
    point_last_plan(planned.run)


def saved_planned_run(workspace: Workspace, run: Run, meta: Mapping[str, Any]) -> PlannedRun:
    """The PlannedRun of a saved plan, from the metadata `envman plan` kept beside it."""
    counts = meta.get("summary") or {}
    fields = meta.get("recorded_fields") or {}
    summary = PlanSummary(
        **{k: int(counts.get(k, 0)) for k in ("add", "change", "destroy", "replace")},
        outputs_changed=int(counts.get("outputs_changed", 0)),
    )
    inputs = RunInputs(
        var_files=(),
        pinned=dict(meta.get("recorded_inputs") or {}),
        pinned_from=meta.get("current_seq"),
        digest=str(meta.get("inputs_digest")),
        values=dict(fields.get("values") or {}),
        carry=dict(meta.get("recorded_inputs") or {}),
        unpinned=tuple(fields.get("unpinned") or ()),
    )
    return PlannedRun(
        workspace,
        inputs,
        run.plan_file,
        StreamedPlan(
            summary=summary,
            drifted=[(str(a), Action.parse(b)) for a, b in meta.get("drifted") or []],
        ),
        str(meta.get("stack_digest")),
        meta.get("current_seq"),
        run=run,
        plan_sha256=str(meta.get("plan_sha256") or ""),
    )


def check_plan_digest(planned: PlannedRun) -> None:
    """Right before `terraform apply`: the plan file is still the plan that was shown."""
    if planned.plan_sha256 and (
        not planned.plan_file.is_file() or _sha256(planned.plan_file) != planned.plan_sha256
    ):
        raise EnvmanError(
            f"the plan of '{planned.workspace.env.name}' changed since it was shown "
            f"({planned.plan_file}); nothing applied",
            hint=f"plan again: envman plan {planned.workspace.env.name}",
        )


def discard_saved_plan(planned: PlannedRun) -> None:
    """The plan is spent (applied, or failed to apply): delete it, it holds secrets."""
    if planned.run is not None:
        spend_plan(planned.run)
    else:
        planned.plan_file.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
