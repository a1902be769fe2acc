"""A Markdown summary of each event, appended to $GITHUB_STEP_SUMMARY in GitHub Actions."""

from __future__ import annotations

import os

from envman.notify.message import Notification, warn
from envman.notify.slack import actor_of, ci_run_link, release_text

_ICON = {
    "apply": "✅",
    "promote": "🚀",
    "rollback": "⏪",
    "auto_rollback": "⏪",
    "verify_failed": "❌",
    "drift": "⚠️",
    "break_glass": "🚨",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def step_summary(notification: Notification) -> str:
    icon = (
        "🚨"
        if notification.break_glass
        else _ICON.get(notification.event, "❌" if notification.event.endswith("_failed") else "🔔")
    )
    rows = [
        ("Environment", notification.environment),
        ("Event", notification.event),
        ("Actor", actor_of(notification)),
    ]
    release = release_text(notification)
    if release:
        rows.append(("Release", release))
    out = [f"### {icon} {_cell(notification.title)}", "", "| | |", "|---|---|"]
    out += [f"| {name} | {_cell(value)} |" for name, value in rows]
    if notification.break_glass:
        out += [
            "",
            f"> **Break-glass:** protections were overridden. Reason: "
            f"{_cell(notification.break_glass)}",
        ]
    if notification.lines:
        out += [""] + [f"- {_cell(line)}" for line in notification.lines]
    for label, link in (("Details", notification.link), ("CI run", ci_run_link())):
        if link:
            out += ["", f"[{label}]({link})"]
    return "\n".join(out) + "\n\n"


def append_step_summary(notification: Notification) -> None:
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(step_summary(notification))
    except OSError as exc:
        warn(f"cannot append to $GITHUB_STEP_SUMMARY: {exc.strerror or exc}")
