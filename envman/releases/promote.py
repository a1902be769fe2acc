"""Promote: carry the source environment's state outputs into the target (docs/releases.md)."""

from __future__ import annotations

from typing import Any

from envman.config.models import Promotion
from envman.config.paths import ENVIRONMENT_FILE, ENVIRONMENTS_DIR
from envman.config.project import Environment, Project
from envman.errors import EnvmanError, ProtectionRefused, UsageError
from envman.releases.ledger import Ledger
from envman.releases.models import Release
from envman.terraform.models import OutputValue
from envman.timeutil import format_duration, now, parse_rfc3339


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
