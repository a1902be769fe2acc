"""Planning an environment: inputs, init, a saved plan and what it depended on."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envman.config.stack import stack_code_digest
from envman.config.tfvars import tfvars_names
from envman.errors import EnvmanError, UsageError
from envman.inputs import InputOptions, RunInputs, build_inputs, inputs_digest, scrub_overrides
from envman.secrets.sources import remember_inputs
from envman.terraform.plan import PlanOptions, StreamedPlan, run_plan
from envman.terraform.runner import EventHandler
from envman.timeutil import iso, now
from envman.workspace import Workspace

PLAN_FILE = "plan.tfplan"
META_FILE = "plan.meta.json"


@dataclass(frozen=True)
class Pins:
    inputs: dict[str, Any]
    seq: int | None


@dataclass
class PlannedRun:
    workspace: Workspace
    inputs: RunInputs
    plan_file: Path
    streamed: StreamedPlan
    stack_digest: str
    current_seq: int | None = None

    @property
    def recorded_inputs(self) -> dict[str, Any]:
        return self.inputs.recorded(self.workspace.stack.sensitive_variables())


def carried_variables(workspace: Workspace) -> frozenset[str]:
    """Release-carried variables: every environment's promotion.variables targets and this
    environment's release_variables (DESIGN section 5, README "Inputs, pins and rollback")."""
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


def plan_environment(
    workspace: Workspace,
    *,
    overrides: Mapping[str, str] | None = None,
    typed_overrides: Mapping[str, Any] | None = None,
    pins: Pins | None = None,
    on_event: EventHandler | None = None,
    plan_name: str = PLAN_FILE,
    input_opts: InputOptions | None = None,
    destroy: bool = False,
) -> PlannedRun:
    env = workspace.env
    workspace.check_backend()  # a wrong backend is reported as such, before the ledger is read
    if pins is None:
        pins = current_pins(workspace)
    inputs = build_inputs(
        workspace.stack,
        env.var_files(),
        env.work_dir,
        pinned=pins.inputs,
        pinned_from=pins.seq,
        overrides=overrides,
        typed_overrides=typed_overrides,
        options=input_opts or input_options(workspace),
    )
    check_required(workspace, inputs.pinned, inputs.overrides)
    workspace.ensure_init(on_event)
    plan_file = env.work_dir / plan_name
    options = PlanOptions(
        out=plan_file,
        var_files=inputs.var_files,
        lock_timeout=workspace.lock_timeout,
        destroy=destroy,
    )
    try:
        streamed = run_plan(workspace.terraform, options, on_event)
    finally:
        scrub_overrides(env.work_dir)
    return PlannedRun(
        workspace,
        inputs,
        plan_file,
        streamed,
        stack_code_digest(workspace.stack_dir, workspace.facts_cache),
        pins.seq,
    )


def save_plan_meta(planned: PlannedRun) -> None:
    meta = {
        "environment": planned.workspace.env.name,
        "created_at": iso(now()),
        "plan_sha256": _sha256(planned.plan_file),
        "inputs_digest": planned.inputs.digest,
        "stack_digest": planned.stack_digest,
        "current_seq": planned.current_seq,
        "recorded_inputs": planned.recorded_inputs,
        "recorded_fields": planned.inputs.record_fields(),
        "summary": {
            **planned.streamed.summary.as_dict(),
            "outputs_changed": planned.streamed.summary.outputs_changed,
        },
    }
    path = planned.workspace.env.work_dir / META_FILE
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(meta, indent=2, sort_keys=True))
    tmp.replace(path)


def load_saved_plan(workspace: Workspace) -> tuple[Path, dict[str, Any]]:
    """The plan saved by the last `envman plan ENV`, refused when it is stale."""
    env = workspace.env
    plan_file = env.work_dir / PLAN_FILE
    meta_file = env.work_dir / META_FILE
    if not plan_file.is_file() or not meta_file.is_file():
        raise UsageError(f"no saved plan for '{env.name}'", hint=f"run: envman plan {env.name}")
    try:
        meta = json.loads(meta_file.read_text())
    except ValueError:
        raise EnvmanError(f"{meta_file} is corrupt", hint=f"run: envman plan {env.name}") from None
    pins = current_pins(workspace)
    remember_inputs(workspace.stack, env.var_files(), (pins.inputs,))
    reasons = []
    if meta.get("plan_sha256") != _sha256(plan_file):
        reasons.append("the plan file changed")
    if meta.get("inputs_digest") != inputs_digest(env.var_files(), pins.inputs):
        reasons.append("the environment's inputs changed")
    if meta.get("stack_digest") != stack_code_digest(workspace.stack_dir, workspace.facts_cache):
        reasons.append("the stack code changed")
    if meta.get("current_seq") != pins.seq:
        reasons.append(f"a new release (#{pins.seq}) was recorded")
    if reasons:
        raise UsageError(
            f"the saved plan of '{env.name}' is stale: {'; '.join(reasons)}",
            hint=f"run envman plan {env.name} again",
        )
    return plan_file, meta


def discard_saved_plan(workspace: Workspace) -> None:
    for name in (PLAN_FILE, META_FILE):
        (workspace.env.work_dir / name).unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
