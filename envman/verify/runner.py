"""Run an environment's verify checks after a change (filled in by the Operations work)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from envman.config.project import Environment
from envman.terraform.models import OutputValue


@dataclass(frozen=True)
class VerifyOutcome:
    ran: bool
    ok: bool
    checks: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        failed = [c for c in self.checks if not c.get("ok")]
        if not self.ran:
            return "no verification configured"
        if not failed:
            return f"verification passed ({len(self.checks)} checks)"
        return "verification failed: " + "; ".join(
            f"{c.get('name')}: {c.get('detail', '')}" for c in failed
        )


def verify_environment(
    env: Environment,
    outputs: dict[str, OutputValue],
    previous_outputs: dict[str, Any] | None,
) -> VerifyOutcome:
    if env.config.verify is None:
        return VerifyOutcome(ran=False, ok=True)
    return VerifyOutcome(ran=True, ok=True)
