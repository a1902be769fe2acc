"""Text and markdown of the diff and changelog documents (their `--json` form is the document
itself). Values come from the ledger, where sensitive ones are never stored; every line is
redacted again on its way out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from enum import StrEnum
from typing import Any

from envman.input_values import show
from envman.secrets.redactor import redact
from envman.timeutil import parse_rfc3339


class InsightFormat(StrEnum):
    """The formats of `diff` and `changelog` (``--format``; ``--json`` is ``json``)."""

    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


Line = Callable[[str], str]  # how a value is set in a line: as is (text) or as code (markdown)


def _plain(text: str) -> str:
    return text


def _code(text: str) -> str:
    return "`" + text.replace("`", "'").replace("\n", " ") + "`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def when(value: Any) -> str:
    """A recorded time to the second: 2026-12-06T04:12:33Z (as recorded when unreadable)."""
    try:
        return parse_rfc3339(str(value)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return str(value or "?")


def release_name(brief: dict[str, Any] | None) -> str:
    """`#12 v1.2.3 promote (verified)`."""
    if brief is None:
        return "no release"
    label = f" {brief['label']}" if brief.get("label") else ""
    return f"#{brief['seq']}{label} {brief['kind']} ({brief['status']})"


def _drift(drift: dict[str, Any] | None) -> str:
    if not drift:
        return "never checked"
    if drift.get("stale"):
        return f"unknown (checked {when(drift.get('checked_at'))}, before the newest change)"
    return f"{drift.get('status')} (checked {when(drift.get('checked_at'))})"


def _side(side: dict[str, Any]) -> str:
    brief = side["release"]
    commit = (side.get("commit") or "")[:12] or "no commit"
    at = when((brief or {}).get("finished_at")) if brief else ""
    return (
        f"{side['environment']}: {release_name(brief)} {at} · commit {commit} · "
        f"drift {_drift(side.get('drift'))}"
    )


def _commit_lines(commits: dict[str, Any], fmt: Line) -> list[str]:
    if not commits.get("known"):
        return [f"- commits unknown: {commits.get('note') or 'not recorded'}"]
    found = commits.get("commits") or []
    lines = [
        f"- {fmt(c['sha'][:12])} {c['subject']} ({c['author']}, {when(c['time'])})" for c in found
    ]
    if commits.get("note"):
        lines.append(f"- ({commits['note']})")
    return lines or ["- no new commits"]


def diff_text(doc: dict[str, Any], markdown: bool = False) -> str:
    fmt = _code if markdown else _plain
    source, target = doc["source"], doc["target"]
    head = "## " if markdown else ""
    out = [f"{head}{source['environment']} → {target['environment']}", ""]
    out += [f"- {_side(source)}", f"- {_side(target)}", ""]
    out.append(f"{head}Promoted values (current → new)")
    if not doc["promotes"]:
        out.append(f"- {target['environment']} is not promoted from {source['environment']}")
    for item in doc["promoted"]:
        mark = "" if item.get("changes") is not False else " (unchanged)"
        out.append(
            f"- {fmt(item['variable'])}: {fmt(show(item['old']))} → {fmt(show(item['new']))}{mark}"
        )
    out += [
        "",
        f"{head}Other values that differ ({target['environment']} → {source['environment']}; not promoted)",
    ]
    out += [
        f"- {fmt(c['name'])}: {fmt(show(c['old']))} → {fmt(show(c['new']))}"
        for c in doc["differences"]
    ] or ["- none"]
    if doc["sensitive"]:
        out.append(f"- not compared (sensitive): {', '.join(doc['sensitive'])}")
    out += [
        "",
        f"{head}Commits {source['environment']} carries that {target['environment']} does not",
    ]
    out += _commit_lines(doc["commits"], fmt)
    return redact("\n".join(out)) + "\n"


def changelog_text(doc: dict[str, Any], markdown: bool = False) -> str:
    fmt = _code if markdown else _plain
    out: list[str] = []
    if not doc["releases"]:
        return f"No releases of {doc['environment']} in that range.\n"
    for item in doc["releases"]:
        out += [*_release_notes(item, fmt, markdown), ""]
    return redact("\n".join(out).rstrip("\n")) + "\n"


def _release_notes(item: dict[str, Any], fmt: Line, markdown: bool) -> list[str]:
    label = item.get("label") or f"release #{item['seq']}"
    head = f"## {label}" if markdown else label
    out = [f"{head} — #{item['seq']} {item['kind']} ({item['status']})"]
    at = when(item.get("finished_at") or item.get("started_at"))
    origin = ""
    if item.get("source"):
        origin = f" · from {item['source']['environment']} #{item['source'].get('seq')}"
    elif item.get("target_seq"):
        origin = f" · back to #{item['target_seq']}"
    ok = item.get("verified")
    verified = "verified" if ok is True else "verification failed" if ok is False else ""
    out.append(
        f"{at} by {item.get('actor') or '?'}{origin}" + (f" · {verified}" if verified else "")
    )
    changed = item["changes"]
    if markdown and changed:
        out += ["", "| Value | Before | After |", "|---|---|---|"]
        out += [
            f"| {_cell(fmt(c['name']))} | {_cell(fmt(show(c['old'])))} | {_cell(fmt(show(c['new'])))} |"
            for c in changed
        ]
    elif changed:
        out += [f"- {c['name']}: {show(c['old'])} → {show(c['new'])}" for c in changed]
    else:
        out.append("- no value changes")
    commits = item["commits"]
    if commits.get("known") and commits.get("commits"):
        out += ["", "Commits:"] if markdown else ["Commits:"]
        out += _commit_lines(commits, fmt)
    return out
