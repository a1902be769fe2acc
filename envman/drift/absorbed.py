"""Drift an apply cannot revert, and so writes into state and keeps (said before confirming).

``terraform apply`` writes the refreshed reality into state. A finding the plan does not
revert (``actionable: false``: an SSH rule opened by hand on a network ACL whose entries are
separate resources, a policy attached by hand) is in state afterwards and no longer differs
from it. Before confirming an apply, envman says each such finding in one line and records
them in the release (``absorbed_drift``: address, attribute, change, fingerprint — never a
value). ``envman drift`` keeps reporting elements in state that no managed resource accounts
for (``envman.drift.unmanaged``), so the record is not the only trace.

It costs a ``terraform show -json`` only when the streamed plan reported resource drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from envman.drift.classify import Context, classify
from envman.drift.companions import SCANNED_TYPES
from envman.drift.model import Finding
from envman.drift.values import short
from envman.errors import EnvmanError
from envman.planning import PlannedRun
from envman.say import Say
from envman.secrets.redactor import MIN_LENGTH, known
from envman.terraform.models import Plan
from envman.terraform.show import show_plan


def kept_by_apply(context: Context, plan: Plan) -> list[Finding]:
    """The findings of the plan's drift that applying it would not revert (pure)."""
    result = classify(
        Context(context.environment, context.ignore, secrets=context.secrets, in_state=False),
        drift=plan,
        normal=plan,
    )
    return [f for f in result.findings if not f.actionable]


def absorbed_by_apply(planned: PlannedRun, warn: Say) -> list[Finding]:
    """What applying ``planned`` keeps of the drift; nothing to read when the streamed plan
    reported no resource drift. A failure to read it is said, never fatal."""
    if not planned.streamed.drifted:
        return []
    workspace = planned.workspace
    env = workspace.env
    try:
        plan = show_plan(
            workspace.terraform,
            planned.plan_file,
            changes_of_drifted_only=True,
            scanned=SCANNED_TYPES,
        )
    except EnvmanError as exc:
        warn(
            f"warning: could not read the drift of the plan of '{env.name}' ({exc}); "
            f"run envman drift {env.name} after applying"
        )
        return []
    from envman.drift.detect import sensitive_values

    secrets = sensitive_values(plan) | {s for s in known() if len(s) >= MIN_LENGTH}
    context = Context(env.name, tuple(env.config.drift.ignore), secrets=secrets)
    return kept_by_apply(context, plan)


def absorbed_lines(findings: Sequence[Finding]) -> list[str]:
    """One line per finding the apply keeps (values redacted as in drift reports), then what
    to do about them."""
    lines = []
    for f in findings:
        what = f"{f.attribute} ({f.change})" if f.change in ("added", "removed") else f.attribute
        value = f.actual if f.change != "removed" else f.expected
        lines.append(
            f"apply keeps drift it does not revert: {f.address} {what}: {short(value, 120)} "
            f"[{f.fingerprint}]"
        )
    if lines:
        lines.append(
            "  it stays in state and envman drift keeps reporting it: remove it by hand, manage "
            "it in the stack, or acknowledge it (envman drift ack ENV FINGERPRINT)"
        )
    return lines


def absorbed_record(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """What the release records of them: no values (a value may be sensitive)."""
    return [
        {
            "address": f.address,
            "attribute": f.attribute,
            "change": f.change,
            "fingerprint": f.fingerprint,
        }
        for f in findings
    ]
