"""Send notifications for an environment's events: Slack webhooks and GitHub step summaries.

``notify`` never raises and never fails a deploy: a missing webhook variable is a warning, a
failed post is retried briefly and then logged (never with the webhook URL, which is a secret).
A notification with ``break_glass`` also goes to the blocks subscribed to ``break_glass``, and
so does one about a release made under a replaced clock (``clock_override``). Everything that
leaves is redacted first (``outgoing``).
"""

from __future__ import annotations

import os
from dataclasses import replace

from envman.config.project import Environment
from envman.notify.message import Notification, warn
from envman.notify.slack import post_message, slack_message
from envman.notify.summary import append_step_summary
from envman.secrets.redactor import redact_document, redact_stored

__all__ = ["Notification", "notify", "warn"]


def notify(env: Environment, notification: Notification) -> None:
    """Post to every notify block subscribed to the event. Never raises."""
    try:
        _notify(env, notification)
    except Exception as exc:  # a notification must never break the operation it reports
        reason = redact_webhooks(f"{type(exc).__name__}: {exc}", env)
        warn(f"notification '{notification.event}' failed: {reason}")


def _notify(env: Environment, notification: Notification) -> None:
    env.remember_webhooks()
    notification = outgoing(notification)
    append_step_summary(notification)
    sent_to: set[int] = set()
    for index, block in enumerate(env.config.notify):
        if notification.event in block.events:
            extra = None
        elif notification.break_glass and "break_glass" in block.events:
            extra = "break_glass"
        else:
            continue
        if index in sent_to:
            continue
        sent_to.add(index)
        url = os.environ.get(block.webhook_url_env, "").strip()
        event = extra or notification.event
        if not url:
            warn(
                f"${block.webhook_url_env} is not set; the {block.kind} notification "
                f"'{event}' for {env.name} was not sent"
            )
            continue
        post_message(url, slack_message(notification, event), f"{block.kind} '{event}'")


def outgoing(notification: Notification) -> Notification:
    """What may leave: every text redacted, short values included (docs/security.md); a
    release made under a replaced clock (ENVMAN_NOW) announced like a break-glass."""
    release = notification.release or {}
    override = release.get("clock_override")
    break_glass = notification.break_glass
    if isinstance(override, dict) and override.get("now"):
        clock = f"clock replaced by ENVMAN_NOW ({override['now']})"
        break_glass = f"{break_glass}; {clock}" if break_glass else clock
    return replace(
        notification,
        title=redact_stored(notification.title),
        lines=[redact_stored(line) for line in notification.lines],
        release=redact_document(notification.release, strict=True),
        break_glass=redact_stored(break_glass) if break_glass else None,
    )


def redact_webhooks(text: str, env: Environment) -> str:
    """``text`` without the values of the environment's webhook variables (secrets)."""
    for block in env.config.notify:
        url = os.environ.get(block.webhook_url_env, "").strip()
        if url:
            text = text.replace(url, f"${block.webhook_url_env}")
    return text
