"""Send notifications for an environment's events: Slack webhooks and GitHub step summaries.

``notify`` never raises and never fails a deploy: a missing webhook variable is a warning, a
failed post is retried briefly and then logged (never with the webhook URL, which is a secret).
A notification with ``break_glass`` also goes to the blocks subscribed to ``break_glass``.
"""

from __future__ import annotations

import os

from envman.config.project import Environment
from envman.notify.message import Notification, warn
from envman.notify.slack import post_message, slack_message
from envman.notify.summary import append_step_summary

__all__ = ["Notification", "notify", "warn"]


def notify(env: Environment, notification: Notification) -> None:
    """Post to every notify block subscribed to the event. Never raises."""
    try:
        _notify(env, notification)
    except Exception as exc:  # a notification must never break the operation it reports
        reason = redact_webhooks(f"{type(exc).__name__}: {exc}", env)
        warn(f"notification '{notification.event}' failed: {reason}")


def _notify(env: Environment, notification: Notification) -> None:
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


def redact_webhooks(text: str, env: Environment) -> str:
    """``text`` without the values of the environment's webhook variables (secrets)."""
    for block in env.config.notify:
        url = os.environ.get(block.webhook_url_env, "").strip()
        if url:
            text = text.replace(url, f"${block.webhook_url_env}")
    return text
