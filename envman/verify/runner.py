"""Run an environment's verify checks after a change (docs/operations.md).

Order: ECS services stable first (new tasks are up), then the CloudFront invalidation (when the
frontend release changed), then the HTTP checks (they now see the new version). Every check
ends as a dict ``{name, kind, ok, detail, duration_s, ...}``; a check that fails (an
``EnvmanError``: unreachable, wrong status, not stable, AWS refused) is a failed check. A bug in
envman's own check code is never a failed check (it would roll production back for envman's
fault): it raises ``CheckCrashed``, an internal error naming the check. No detail ever holds a
sensitive output's value or a URL's credentials or query.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from envman.config.project import Environment
from envman.errors import EnvmanError
from envman.say import Say
from envman.terraform.models import OutputValue
from envman.timeutil import iso, now
from envman.verify.aws_checks import cloudfront_invalidation, ecs_stable, frontend_changed
from envman.verify.http import run_http_check


class CheckCrashed(Exception):  # not an EnvmanError: a bug, reported as an internal error
    """envman's own code of a verify check raised: a bug, not a failed check."""


@dataclass(frozen=True)
class VerifyOutcome:
    ran: bool
    ok: bool
    checks: list[dict[str, Any]] = field(default_factory=list)
    started_at: str | None = None
    duration_s: float | None = None

    def summary(self) -> str:
        failed = [c for c in self.checks if not c.get("ok")]
        if not self.ran:
            return "no verification configured"
        if not failed:
            return f"verification passed ({len(self.checks)} checks)"
        return "verification failed: " + "; ".join(
            f"{c.get('name')}: {c.get('detail', '')}" for c in failed
        )

    def lines(self) -> list[str]:
        """One line per check, for terminals and notifications."""
        return [
            f"{'ok  ' if c.get('ok') else 'FAIL'} {c.get('kind')} {c.get('name')}: "
            f"{c.get('detail', '')}"
            for c in self.checks
        ]


def verify_environment(
    env: Environment,
    outputs: dict[str, OutputValue],
    previous_outputs: dict[str, Any] | None,
    say: Say | None = None,
) -> VerifyOutcome:
    """Run the environment's checks; progress lines go to ``say`` (the command's stderr)."""
    config = env.config.verify
    if config is None:
        return VerifyOutcome(ran=False, ok=True)
    started_at = iso(now())
    started = time.monotonic()
    log = _logger(env.name, say)
    checks: list[dict[str, Any]] = []
    if config.ecs_stable:
        log("waiting for the ECS services to be stable")
        checks.append(_timed("ecs_stable", lambda: ecs_stable(env, config, outputs)))
    if config.cloudfront_invalidation:
        changed, old, new = frontend_changed(outputs, previous_outputs)
        if changed:
            reference = f"envman-{env.name}-{new}-{int(time.time())}"
            checks.append(
                _timed(
                    "cloudfront_invalidation",
                    lambda: cloudfront_invalidation(env, outputs, old, new, reference),
                )
            )
    for http in config.http:
        checks.append(
            _timed(f"http {http.name}", lambda http=http: run_http_check(http, outputs, log))  # type: ignore[misc]
        )
    for done in checks:
        log(
            f"{'ok' if done['ok'] else 'FAILED'}: {done['kind']} {done['name']}: "
            f"{done.get('detail', '')}"
        )
    return VerifyOutcome(
        ran=True,
        ok=all(c["ok"] for c in checks),
        checks=checks,
        started_at=started_at,
        duration_s=round(time.monotonic() - started, 2),
    )


def _timed(label: str, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.monotonic()
    try:
        result = run()
    except EnvmanError as exc:  # the check failed: what it checks is not right
        result = {"name": label, "kind": "error", "ok": False, "detail": str(exc)}
    except Exception as exc:
        raise CheckCrashed(
            f"verify check {label} crashed: {type(exc).__name__}: {exc} "
            "(not a verification failure; nothing was rolled back)"
        ) from exc
    result["duration_s"] = round(time.monotonic() - started, 2)
    return result


def _logger(name: str, say: Say | None) -> Say:
    def log(message: str) -> None:
        if say is not None:
            say(f"[{name} verify] {message}")

    return log
