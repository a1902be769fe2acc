"""envman drift: detect drift per environment; `drift ack` and `drift baseline` for the baseline.

    envman drift [check] [ENV...] [--format text|json|markdown|junit] [--report FILE]
                 [--notify] [--parallel N] [--json]
    envman drift ack ENV FINGERPRINT --reason TEXT --expires DATE|RFC3339 [--json]
    envman drift baseline ENV [--json]

Never changes infrastructure or state: plans only (see ``envman.drift.detect``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from envman.commands import AppContext, emit_json
from envman.config.project import Project, suggest_environment
from envman.drift.detect import LAST_DOC, CheckOptions
from envman.drift.model import (
    EnvResult,
    ReportFormat,
    error_result,
    exit_code,
    report_document,
)
from envman.drift.report import render
from envman.drift.rules import (
    BASELINE_DOC,
    Acknowledgement,
    baseline_doc_with,
    baseline_from_doc,
    parse_expiry,
)
from envman.drift.values import short
from envman.errors import EXIT_OK, EnvmanError, UsageError
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for
from envman.releases.provenance import actor
from envman.secrets.files import write_private
from envman.secrets.redactor import redact_document
from envman.timeutil import iso, now
from envman.workspace import Workspace

MAX_NOTIFY_LINES = 20


@dataclass(frozen=True)
class DriftOptions:
    fmt: ReportFormat = ReportFormat.TEXT
    report: Path | None = None
    notify: bool = False
    parallel: int | None = None
    as_json: bool = False  # --json: the same as --format json


@dataclass(frozen=True)
class AckRequest:
    environment: str
    fingerprint: str
    reason: str
    expires: str
    as_json: bool = False


def run_check(ctx: AppContext, names: list[str], options: DriftOptions) -> int:
    """``envman drift check``: the options checked, then ``run_drift``."""
    if options.as_json:
        if options.fmt not in (ReportFormat.TEXT, ReportFormat.JSON):
            raise UsageError(f"--json conflicts with --format {options.fmt}")
        options = DriftOptions(ReportFormat.JSON, options.report, options.notify, options.parallel)
    if options.parallel is not None and options.parallel < 1:
        raise UsageError("--parallel must be at least 1")
    return run_drift(ctx, names, options)


# -- the check ------------------------------------------------------------------------------


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _workspaces(project: Project, names: list[str]) -> tuple[list[Workspace], list[EnvResult]]:
    """Loaded environments ready to run (in order), and results for those that cannot be."""
    ready: list[Workspace] = []
    failed: list[EnvResult] = []
    for name in names:
        try:
            workspace = Workspace(project, project.environment(name))
            workspace.terraform  # noqa: B018 - writes the shared CLI config before threads start
            ready.append(workspace)
        except EnvmanError as exc:
            failed.append(error_result(name, str(exc)))
    return ready, failed


def _checker() -> Callable[[Workspace, CheckOptions], EnvResult]:
    """The one check of an environment: one plan per stack (each component's, or the single
    stack's own), and its orphaned components as findings."""
    from envman.flow.drift import check_environment
    from envman.graph.drift import graph_stacks
    from envman.graph.orphan_drift import orphan_findings

    return lambda workspace, options: check_environment(
        workspace, options, graph_stacks, orphan_findings
    )


def run_drift(ctx: AppContext, names: list[str], options: DriftOptions) -> int:
    from envman.graph.orphan_drift import gone_results

    project = ctx.project
    gone = gone_results(project, names)  # folders deleted, ledger and state left
    known = [*project.environment_names(), *gone]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(
            f"unknown environment{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(n) for n in unknown)}",
            hint=suggest_environment(unknown[0], known, project.root / "environments"),
        )
    wanted = list(dict.fromkeys(names)) or known
    if not wanted:
        raise EnvmanError(
            f"no environments in {project.root / 'environments'}: nothing to check",
            hint="add environments/<env>/environment.hcl, or check --project",
        )
    moment = now()
    check = CheckOptions(moment=moment, checked_at=iso(moment), notify=options.notify)
    ready, failed = _workspaces(project, [n for n in wanted if n not in gone])
    workers = max(1, min(options.parallel or os.cpu_count() or 1, len(ready) or 1))
    _say(
        f"drift: checking {len(wanted)} environment(s), {workers} at a time "
        "(one plan each; nothing is changed)"
    )
    results = {r.environment: r for r in [*failed, *gone.values()]}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="drift") as pool:
        futures: dict[str, Future[EnvResult]] = {
            w.env.name: pool.submit(_checker(), w, check) for w in ready
        }
        for name, future in futures.items():
            results[name] = future.result()
            _progress(results[name])
    ordered = [results[n] for n in wanted]
    document = redact_document(report_document(ordered, check.checked_at))
    text = render(options.fmt, document)
    if options.report is not None:
        report_format = REPORT_FORMATS.get(options.report.suffix.lower(), options.fmt)
        report_text = text if report_format == options.fmt else render(report_format, document)
        _write_report(options.report, report_text, report_format != "json")
    sys.stdout.write(text)
    sys.stdout.flush()
    if options.notify:
        for result in ordered:
            _notify(project, result)
    return exit_code(ordered)


# --report FILE takes its format from the file's extension, so one run can print Markdown for
# a step summary and keep a JSON artifact; other extensions get the --format output.
REPORT_FORMATS = {".json": "json", ".md": "markdown", ".xml": "junit"}


def _progress(result: EnvResult) -> None:
    counts = result.counts
    detail = (
        result.error
        if result.error
        else (
            f"{counts.findings} finding(s), {counts.new} new"
            if result.findings
            else f"{len(result.pending_changes)} pending change(s)"
            if result.pending_changes
            else ""
        )
    )
    _say(
        f"drift: {result.environment}: {result.status}"
        + (f": {detail}" if detail else "")
        + f" ({result.duration_s:.1f}s)"
    )


def _write_report(path: Path, text: str, prose: bool) -> None:
    """Owner-only; prose through the redactor (a JSON document is built redacted: a number
    replaced in its text would break it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, text, redacted=prose)
    except OSError as exc:
        raise EnvmanError(f"cannot write the report to {path}: {exc.strerror or exc}") from None


def _notify(project: Project, result: EnvResult) -> None:
    """One notification per environment with new or changed drift: findings (fingerprints)
    not notified yet while they were present, so the same findings never notify twice."""
    fresh = result.to_notify
    if not fresh:
        return
    from envman.notify.dispatch import Notification, notify

    lines = [
        f"{f.address} {f.attribute}: {short(f.expected)} → {short(f.actual)}"
        + (" (apply would revert)" if f.actionable else "")
        for f in fresh[:MAX_NOTIFY_LINES]
    ]
    if len(fresh) > MAX_NOTIFY_LINES:
        lines.append(f"… and {len(fresh) - MAX_NOTIFY_LINES} more")
    title = (
        f"Drift in {result.environment}: {len(fresh)} new finding(s), "
        f"{result.counts.findings} in total"
    )
    try:
        notify(
            project.environment(result.environment),
            Notification(event="drift", environment=result.environment, title=title, lines=lines),
        )
    except Exception as exc:  # notify() should never raise; a broken hook must not lose the report
        _say(f"drift: {result.environment}: notification failed: {type(exc).__name__}: {exc}")


# -- the baseline -----------------------------------------------------------------------------


def _ledger(ctx: AppContext, name: str) -> Ledger:
    env = ctx.project.environment(name)
    return Ledger(store_for(env), env.name)


def run_ack(ctx: AppContext, request: AckRequest) -> int:
    name, print_ = request.environment, request.fingerprint
    if not request.reason.strip():
        raise UsageError("an acknowledgement needs --reason", hint="say why this drift is fine")
    if not request.expires.strip():
        raise UsageError(
            "an acknowledgement needs --expires",
            hint="a date (2026-12-31, through that day UTC) or an RFC 3339 time",
        )
    ledger = _ledger(ctx, name)
    moment = now()
    until = parse_expiry(request.expires, moment)
    last = ledger.read_doc(LAST_DOC) or {}
    known = [
        f
        for key in ("findings", "acknowledged")
        for f in last.get(key) or []
        if isinstance(f, dict) and f.get("fingerprint") == print_
    ]
    if not known:
        raise UsageError(
            f"no finding with fingerprint {print_} in the last drift check of '{name}'",
            hint=f"run `envman drift check {name}`; the report lists fingerprints",
        )
    entry = Acknowledgement(
        fingerprint=print_,
        reason=request.reason.strip(),
        expires=until,
        address=str(known[0].get("address", "")),
        attribute=str(known[0].get("attribute", "")),
        acknowledged_at=iso(moment),
        actor=actor(),
    )
    ledger.update_doc(  # conditional: concurrent acks are all kept
        BASELINE_DOC, lambda doc: baseline_doc_with(doc, entry)
    )
    if request.as_json:
        emit_json(entry.to_json())
    else:
        print(
            f"Acknowledged {entry.address} {entry.attribute} [{print_}] in '{name}' until "
            f"{iso(until)}: {entry.reason}"
        )
    return EXIT_OK


def run_baseline(ctx: AppContext, name: str, as_json: bool) -> int:
    ledger = _ledger(ctx, name)
    moment = now()
    entries = baseline_from_doc(ledger.read_doc(BASELINE_DOC))
    rows = [{**e.to_json(), "active": e.active(moment)} for e in entries]
    if as_json:
        emit_json({"environment": name, "entries": rows})
        return EXIT_OK
    if not rows:
        print(f"No acknowledged drift in '{name}'.")
        return EXIT_OK
    for row in rows:
        state = "active" if row["active"] else "expired"
        print(
            f"{row['fingerprint']}  {row['address']} {row['attribute']}  {state} until "
            f"{row['expires']}  by {row['actor']}: {row['reason']}"
        )
    return EXIT_OK
