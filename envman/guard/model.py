"""What a review of a plan found: guard findings, policy results, the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from envman.errors import ProtectionRefused


class DestroyAction(StrEnum):
    DELETE = "delete"
    REPLACE = "replace"


class PolicyStatus(StrEnum):
    PASSED = "passed"
    REFUSED = "refused"
    ERROR = "error"  # could not be started or timed out: never counts as passed


@dataclass(frozen=True)
class Destroyed:
    """One address the plan deletes or replaces, and what the guard said about it."""

    address: str
    action: DestroyAction
    protected_by: str | None = None  # the prevent_destroy glob it matches
    allowed: bool = False  # let through by --allow-destroy

    @property
    def refused(self) -> bool:
        return self.protected_by is not None and not self.allowed


@dataclass(frozen=True)
class GuardResult:
    destroyed: tuple[Destroyed, ...] = ()
    max_destroy: int | None = None  # None: no cap (or a destroy run, which ignores it)
    configured: bool = False

    @property
    def refused_addresses(self) -> list[Destroyed]:
        return [d for d in self.destroyed if d.refused]

    @property
    def allowed(self) -> list[Destroyed]:
        return [d for d in self.destroyed if d.allowed]

    @property
    def over_limit(self) -> bool:
        """More destroyed (or replaced) than max_destroy, not counting --allow-destroy ones."""
        if self.max_destroy is None:
            return False
        return sum(1 for d in self.destroyed if not d.allowed) > self.max_destroy

    @property
    def refused(self) -> bool:
        return bool(self.refused_addresses) or self.over_limit


@dataclass(frozen=True)
class PolicyResult:
    name: str
    status: PolicyStatus
    output: str  # already redacted
    exit_code: int | None = None

    @property
    def summary(self) -> str:
        if self.status is PolicyStatus.PASSED:
            return "passed"
        if self.status is PolicyStatus.REFUSED:
            return f"refused (exit {self.exit_code})"
        return f"error: {self.output.splitlines()[0] if self.output else 'did not run'}"


@dataclass(frozen=True)
class ReviewResult:
    guard: GuardResult = field(default_factory=GuardResult)
    policies: tuple[PolicyResult, ...] = ()

    @property
    def refused(self) -> bool:
        return self.guard.refused or any(p.status is not PolicyStatus.PASSED for p in self.policies)

    def reasons(self) -> list[str]:
        """One line per reason the plan is refused (empty when it is not)."""
        lines = [
            f"{d.address} would be {_verb(d.action)} (guard prevent_destroy {d.protected_by!r})"
            for d in self.guard.refused_addresses
        ]
        if self.guard.over_limit:
            counted = [d.address for d in self.guard.destroyed if not d.allowed]
            lines.append(
                f"the plan destroys or replaces {len(counted)} resources, more than guard "
                f"max_destroy = {self.guard.max_destroy}: {', '.join(counted)}"
            )
        lines += [
            f"policy {p.name!r} {p.summary}"
            for p in self.policies
            if p.status is not PolicyStatus.PASSED
        ]
        return lines


def _verb(action: DestroyAction) -> str:
    return "replaced" if action is DestroyAction.REPLACE else "destroyed"


class GuardRefused(ProtectionRefused):
    """A guard or a policy refused the plan (exit 3); nothing was applied."""
