"""Promote: carry the source environment's state outputs into the target (docs/releases.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envman.config.models import Promotion
from envman.config.paths import ENVIRONMENT_FILE, ENVIRONMENTS_DIR
from envman.config.project import Environment, Project
from envman.errors import EnvmanError, ProtectionRefused, UsageError
from envman.input_values import Source
from envman.planning import (
    PlanInputs,
    PlannedRun,
    current_pins,
    input_options,
    plan_environment,
)
from envman.releases.ledger import Ledger
from envman.releases.models import Release, SourceRef
from envman.releases.versions import value_changes
from envman.terraform.models import OutputValue
from envman.terraform.output import read_outputs
from envman.terraform.progress import Progress
from envman.terraform.state import read_state_info
from envman.timeutil import format_duration, now, parse_rfc3339
from envman.workspace import Workspace


@dataclass
class PromotionPlan:
    planned: PlannedRun
    source: SourceRef
    changes: list[tuple[str, str, str]]


def promotion_target(project: Project, target: str | None) -> Environment:
    if target is not None:
        return project.environment(target)
    candidates = [e for e in project.environments() if e.config.promotion is not None]
    if not candidates:
        _raise_broken_target(project)
        raise UsageError(
            "no environment has a promotion block; nothing to promote into",
            hint='add promotion { from = "staging" ... } to the target environment',
        )
    if len(candidates) > 1:
        names = ", ".join(e.name for e in candidates)
        raise UsageError(
            f"several environments have a promotion block: {names}",
            hint="name the target: envman promote TARGET",
        )
    return candidates[0]


def _raise_broken_target(project: Project) -> None:
    """With no promotion target found: an environment whose configuration does not load but
    that declares a promotion block is the one meant — its own error says what to fix."""
    for name in project.environment_names():
        try:
            project.environment(name)
        except EnvmanError:
            text = (project.root / ENVIRONMENTS_DIR / name / ENVIRONMENT_FILE).read_text()
            if "promotion" in text:
                raise


def running_release(ledger: Ledger) -> Release | None:
    """The release whose values the source's state holds: its current release, or a newer one
    whose apply completed but whose verification failed (`on_failure = "fail"` leaves it
    running). Promote reads the state's outputs, so it must judge that release."""
    for release in ledger.newest_first():
        if release.succeeded or release.status == "verify_failed":
            return release
    return None


def check_source_release(source: Release | None, promotion: Promotion, source_name: str) -> None:
    """require_verified and min_soak; refusals exit 3 and say why."""
    if promotion.require_verified:
        if source is None:
            raise ProtectionRefused(
                f"'{source_name}' has no release; require_verified needs a verified one",
                hint=f"deploy and verify {source_name} first",
            )
        if source.status != "verified":
            raise ProtectionRefused(
                f"release #{source.seq} of '{source_name}' is {source.status}, not verified "
                "(promotion.require_verified)",
                hint=f"run envman verify {source_name}, or promote a verified release",
            )
    if promotion.min_soak is not None:
        if source is None or not source.finished_at:
            raise ProtectionRefused(f"'{source_name}' has no finished release to soak")
        ran = now() - parse_rfc3339(source.finished_at)
        if ran < promotion.min_soak:
            left = promotion.min_soak - ran
            raise ProtectionRefused(
                f"release #{source.seq} of '{source_name}' has run {format_duration(ran)}; "
                f"min_soak is {format_duration(promotion.min_soak)}",
                hint=f"promote again in {format_duration(left)}",
            )


def map_outputs(
    outputs: dict[str, OutputValue], promotion: Promotion, source_name: str
) -> dict[str, Any]:
    return {
        variable: promoted_value(outputs.get(output), output, variable, source_name)
        for variable, output in sorted(promotion.variables.items())
    }


def promoted_value(found: OutputValue | None, output: str, variable: str, source: str) -> Any:
    """The value an output of the source carries into a variable of the target; a missing
    output, or a sensitive one, is refused (envman never pins a secret in the ledger)."""
    if found is None:
        raise EnvmanError(
            f"'{source}' has no output '{output}' (promotion.variables.{variable})",
            hint=f"apply {source} with a stack that outputs it, or fix the mapping",
        )
    if found.sensitive:
        raise EnvmanError(
            f"output '{output}' of '{source}' is sensitive; envman does not promote secrets",
            hint="promote a non-sensitive reference (an ARN or version) instead",
        )
    return found.value


def plan_promotion(
    project: Project,
    target: Environment,
    source_name: str | None,
    bypass: tuple[str, ...] = (),
) -> PromotionPlan:
    """Plan the promotion into TARGET; the command shows ``changes`` and the plan."""
    promotion = target.config.promotion
    if promotion is None:
        raise UsageError(
            f"environment '{target.name}' has no promotion block",
            hint=f"add promotion {{ from = ... }} to {target.config_path}",
        )
    source_env = project.environment(source_name or promotion.source)
    if source_env.name == target.name:
        raise UsageError(f"cannot promote '{target.name}' into itself")
    source_ws = Workspace(project, source_env)
    source_ledger = Ledger(store_for_env(source_env), source_env.name)
    source_release = running_release(source_ledger)
    from envman.operate.destroy import check_not_destroyed

    check_not_destroyed(source_ledger, "promote from")
    check_source_release(source_release, promotion, source_env.name)
    source_ws.ensure_init()
    outputs = read_outputs(source_ws.terraform)
    if not outputs:
        raise EnvmanError(
            f"'{source_env.name}' has no outputs: it was never applied",
            hint=f"envman apply {source_env.name}",
        )
    promoted = map_outputs(outputs, promotion, source_env.name)
    state = read_state_info(source_ws.terraform)
    workspace = Workspace(project, target)
    pins = current_pins(workspace)
    progress = Progress(target.name, "Planning")
    origin = f"{source_env.name}#{source_release.seq}" if source_release else source_env.name
    options = input_options(
        workspace, override_source=Source.PROMOTION, override_origin=origin, bypass=bypass
    )
    with progress:
        given = PlanInputs(typed_overrides=promoted, pins=pins, options=options)
        planned = plan_environment(workspace, given, on_event=progress)
    current = Ledger(store_for_env(target), target.name).current()
    changes = value_changes(current, planned.inputs)
    source = SourceRef(
        environment=source_env.name,
        seq=source_release.seq if source_release else None,
        serial=state.serial,
        lineage=state.lineage,
    )
    return PromotionPlan(planned=planned, source=source, changes=changes)


def store_for_env(env: Environment) -> Any:
    from envman.releases.locate import store_for

    return store_for(env)
