"""Report renderers: text table, JSON, Markdown ($GITHUB_STEP_SUMMARY, issues), JUnit XML.

Every renderer takes the JSON report document (``model.report_document``), so all formats say
the same thing and values were redacted once, before any of them ran.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from typing import Any

from envman.drift.documents import document_changes
from envman.drift.values import short

FORMATS = ("text", "json", "markdown", "junit")
_ICONS = {"in_sync": "✅", "pending": "🟡", "drifted": "🔴", "error": "⚠️"}
_COUNT_KEYS = ("findings", "new", "actionable", "acknowledged", "ignored", "normalised")


def render(fmt: str, document: dict[str, Any]) -> str:
    renderers: dict[str, Callable[[dict[str, Any]], str]] = {
        "text": render_text,
        "json": render_json,
        "markdown": render_markdown,
        "junit": render_junit,
    }
    return renderers[fmt](document)


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, default=str) + "\n"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    lines = []
    for row in (header, *rows):
        cells = [str(c).ljust(w) for c, w in zip(row, widths, strict=True)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def _yes(flag: Any) -> str:
    return "yes" if flag else "no"


def _pending_text(env: dict[str, Any]) -> str:
    changes = env.get("pending_changes") or []
    shown = ", ".join(f"{c['address']} ({c['action']})" for c in changes[:5])
    more = f", +{len(changes) - 5} more" if len(changes) > 5 else ""
    return f"{len(changes)} change(s) not applied: {shown}{more}"


def attribute_text(finding: dict[str, Any]) -> str:
    """The attribute, with "(added)"/"(removed)" for an element of a collection."""
    change = finding.get("change")
    suffix = f" ({change})" if change in ("added", "removed") else ""
    return f"{finding['attribute']}{suffix}"


def _changes(finding: dict[str, Any]) -> list[str]:
    """Statement- or container-level lines of a JSON document finding (none when redacted)."""
    if finding.get("sensitive"):
        return []
    return document_changes(finding.get("expected"), finding.get("actual"))


def _cell(finding: dict[str, Any], side: str, limit: int) -> str:
    """A table cell: a JSON document explained below the table is not cut in the middle."""
    value = finding[side]
    if isinstance(value, str) and _changes(finding):
        return "(JSON document, see below)"
    return short(value, limit)


def _document_lines(findings: list[dict[str, Any]], indent: str) -> list[str]:
    lines: list[str] = []
    for f in findings:
        changes = _changes(f)
        if changes:
            lines += ["", f"{indent}{f['address']} {attribute_text(f)}:"]
            lines += [f"{indent}    {c}" for c in changes]
    return lines


def render_text(document: dict[str, Any]) -> str:
    envs: list[dict[str, Any]] = document.get("environments") or []
    lines = [f"Drift check at {document.get('checked_at')}", ""]
    header = ["environment", "status", *_COUNT_KEYS]
    rows = [
        [e["environment"], e["status"], *(str(e["counts"].get(k, 0)) for k in _COUNT_KEYS)]
        for e in envs
    ]
    lines += _table(header, rows)
    for env in envs:
        name, status = env["environment"], env["status"]
        if status == "error":
            lines += ["", f"{name}: error: {env.get('error')}"]
        elif status == "pending":
            lines += ["", f"{name}: pending: {_pending_text(env)}"]
        if env.get("findings"):
            lines += ["", f"{name}: {len(env['findings'])} finding(s)"]
            rows = [
                [
                    f["address"],
                    attribute_text(f),
                    _cell(f, "expected", 40),
                    _cell(f, "actual", 100 if f.get("change") == "added" else 40),
                    _yes(f["new"]),
                    _yes(f["actionable"]),
                    f["fingerprint"],
                ]
                for f in env["findings"]
            ]
            lines += _table(
                [
                    "address",
                    "attribute",
                    "expected",
                    "actual",
                    "new",
                    "apply reverts",
                    "fingerprint",
                ],
                rows,
                "  ",
            )
            lines += _document_lines(env["findings"], "  ")
        for warning in env.get("warnings") or []:
            lines.append(f"{name}: warning: {warning}")
    return "\n".join(lines) + "\n"


def _md(value: Any, code: bool = False, limit: int = 80) -> str:
    text = short(value, limit) if not isinstance(value, str) or code else " ".join(value.split())
    text = text.replace("|", "\\|")
    if code:
        return f"`{text}`" if "`" not in text else text
    return text.replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(document: dict[str, Any]) -> str:
    envs: list[dict[str, Any]] = document.get("environments") or []
    lines = [
        "## Drift report",
        "",
        f"Checked at {document.get('checked_at')}.",
        "",
        "| Environment | Status | Findings | New | Apply reverts | Acknowledged | Ignored "
        "| Normalised |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for env in envs:
        counts = env["counts"]
        cells = [
            f"**{_md(env['environment'])}**",
            f"{_ICONS.get(env['status'], '')} {env['status']}",
            *(str(counts.get(k, 0)) for k in _COUNT_KEYS),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    for env in envs:
        name, status = env["environment"], env["status"]
        if status == "error":
            lines += ["", f"### {_md(name)}: error", "", f"> {_md(env.get('error'))}"]
        elif status == "pending":
            lines += ["", f"### {_md(name)}: pending", "", _md(_pending_text(env))]
        if env.get("findings"):
            lines += [
                "",
                f"### {_md(name)}: drifted",
                "",
                "| Resource | Attribute | Expected (state) | Actual | New | Apply reverts "
                "| Fingerprint |",
                "|---|---|---|---|---|---|---|",
            ]
            for f in env["findings"]:
                cells = [
                    _md(f["address"], True),
                    _md(attribute_text(f), True),
                    _md(_cell(f, "expected", 80), True),
                    _md(_cell(f, "actual", 80), True),
                    "🆕" if f["new"] else "",
                    _yes(f["actionable"]),
                    _md(f["fingerprint"], True),
                ]
                lines.append("| " + " | ".join(cells) + " |")
            for f in env["findings"]:
                if _changes(f):
                    lines += ["", f"{_md(f['address'], True)} {_md(attribute_text(f), True)}:", ""]
                    lines += [f"- {_md(c, True, 300)}" for c in _changes(f)]
    lines += [
        "",
        "_Acknowledge an accepted finding with_ "
        "`envman drift ack ENV FINGERPRINT --reason ... --expires YYYY-MM-DD`.",
    ]
    return "\n".join(lines) + "\n"


def render_junit(document: dict[str, Any]) -> str:
    """One testcase per environment: failure when drifted, error when the check failed."""
    envs: list[dict[str, Any]] = document.get("environments") or []
    failures = sum(1 for e in envs if e["status"] == "drifted")
    errors = sum(1 for e in envs if e["status"] == "error")
    total = sum(float(e.get("duration_s") or 0) for e in envs)
    suites = ET.Element(
        "testsuites",
        name="envman drift",
        tests=str(len(envs)),
        failures=str(failures),
        errors=str(errors),
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="envman drift",
        tests=str(len(envs)),
        failures=str(failures),
        errors=str(errors),
        time=f"{total:.1f}",
        timestamp=str(document.get("checked_at", "")),
    )
    for env in envs:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="envman.drift",
            name=env["environment"],
            time=f"{float(env.get('duration_s') or 0):.1f}",
        )
        if env["status"] == "drifted":
            findings = env.get("findings") or []
            failure = ET.SubElement(
                case, "failure", type="drift", message=f"{len(findings)} drift finding(s)"
            )
            failure.text = "\n".join(
                f"{f['address']} {attribute_text(f)}: "
                f"{short(f['expected'])} -> {short(f['actual'])}"
                f" [{f['fingerprint']}]{' new' if f['new'] else ''}"
                for f in findings
            )
        elif env["status"] == "error":
            error = ET.SubElement(case, "error", type="error", message=str(env.get("error")))
            error.text = str(env.get("error"))
        elif env["status"] == "pending":
            out = ET.SubElement(case, "system-out")
            out.text = _pending_text(env)
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
