"""Slack incoming-webhook messages (Block Kit) and a bounded, retried post."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from typing import Any

from envman.notify.message import Notification, warn

TRIES = 3
ATTEMPT_TIMEOUT = 2.5  # seconds per try
BUDGET = 9.0  # seconds in all, tries and waits included
_EMOJI = {
    "apply": ":white_check_mark:",
    "promote": ":rocket:",
    "rollback": ":rewind:",
    "auto_rollback": ":rewind:",
    "verify_failed": ":x:",
    "drift": ":warning:",
    "break_glass": ":rotating_light:",
}


def ci_run_link() -> str | None:
    """$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID in GitHub Actions."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return None
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repo, run = os.environ.get("GITHUB_REPOSITORY"), os.environ.get("GITHUB_RUN_ID")
    if not repo or not run:
        return None
    return f"{server}/{repo}/actions/runs/{run}"


def actor_of(notification: Notification) -> str:
    release = notification.release or {}
    if release.get("actor"):
        return str(release["actor"])
    from envman.releases.provenance import actor

    return actor()


def release_text(notification: Notification) -> str | None:
    release = notification.release
    if not release or release.get("seq") is None:
        return None
    text = f"#{release.get('seq')} ({release.get('kind')}, {release.get('status')})"
    if release.get("target_seq") is not None:
        text += f", back to #{release.get('target_seq')}"
    if release.get("allow_destroy"):  # let through the guard by --allow-destroy: announced
        text += f", destroy allowed: {', '.join(str(a) for a in release['allow_destroy'])}"
    return text


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_message(notification: Notification, event: str | None = None) -> dict[str, Any]:
    """The Block Kit payload. Only names, versions and counts: never output values."""
    event = event or notification.event
    emoji = _EMOJI.get(event, ":bell:" if not event.endswith("_failed") else ":x:")
    title = notification.title
    if notification.break_glass:
        title = f"BREAK-GLASS: {title}"
        emoji = _EMOJI["break_glass"]
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _cut(f"{emoji} {title}", 150), "emoji": True},
        },
    ]
    if notification.break_glass:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": _cut(
                        f":rotating_light: *Break-glass deploy: protections were overridden.*\n"
                        f"*Reason:* {notification.break_glass}" + _rules(notification),
                        3000,
                    ),
                },
            }
        )
    fields = [
        ("Environment", notification.environment),
        ("Event", event),
        ("Actor", actor_of(notification)),
    ]
    release = release_text(notification)
    if release:
        fields.append(("Release", release))
    blocks.append(
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": _cut(f"*{name}*\n{value}", 2000)}
                for name, value in fields
            ],
        }
    )
    if notification.lines:
        body = "\n".join(f"• {line}" for line in notification.lines[:20])
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(body, 3000)}})
    links = [link for link in (notification.link, ci_run_link()) if link]
    if links:
        text = " · ".join(
            f"<{link}|{'CI run' if link == ci_run_link() else 'details'}>" for link in links
        )
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": text}]})
    fallback = f"{title} ({notification.environment}, {event})"
    return {"text": fallback, "blocks": blocks}


def _rules(notification: Notification) -> str:
    rules = (notification.release or {}).get("break_glass") or {}
    names = rules.get("rules") if isinstance(rules, dict) else None
    return f"\n*Overridden:* {', '.join(map(str, names))}" if names else ""


def post_message(url: str, payload: dict[str, Any], what: str) -> bool:
    """POST the payload; up to TRIES tries within BUDGET seconds. Logs failures without URL."""
    data = json.dumps(payload).encode("utf-8")
    deadline = time.monotonic() + BUDGET
    problem = ""
    for attempt in range(1, TRIES + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0.2:
            break
        retry_after = 0.0
        try:
            request = urllib.request.Request(
                url, data=data, method="POST", headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=min(ATTEMPT_TIMEOUT, remaining)) as resp:
                resp.read()
                return True
        except urllib.error.HTTPError as exc:
            problem = f"HTTP {exc.code}"
            if exc.code < 500 and exc.code != 429:
                break  # the webhook refused the message: retrying will not help
            retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            problem = _reason(exc)
            if isinstance(exc, ValueError):
                break
        if attempt < TRIES:
            wait = max(retry_after, 0.5 * 2 ** (attempt - 1))
            if time.monotonic() + wait >= deadline:
                break
            time.sleep(wait)
    warn(
        f"{what} notification not delivered: {problem} (after {attempt} {'try' if attempt == 1 else 'tries'})"
    )
    return False


def _retry_after(value: str | None) -> float:
    try:
        return min(float(value or 0), 5.0)
    except ValueError:
        return 0.0


def _reason(exc: Exception) -> str:
    """What went wrong, without the URL (which a webhook treats as its secret)."""
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, OSError) and reason.strerror:
            return reason.strerror
        if isinstance(reason, TimeoutError):
            return "timed out"
        return type(reason).__name__ if not isinstance(reason, str) else "cannot connect"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ValueError):
        return "the webhook URL is not valid"
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
