"""The command line: parse arguments, call a command, map errors to exit codes.

Imports of the commands are lazy so that `envman --help` and `envman list` start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer

from envman.cliutil import DefaultCommandGroup, EnvmanGroup, TidyGroup
from envman.drift.model import ReportFormat
from envman.insight.formats import MetricsFormat

if TYPE_CHECKING:
    from envman.commands import AppContext

app = typer.Typer(
    name="envman",
    help=(
        "Terraform-backed environment manager: plan and apply each environment (one stack, "
        "or a graph of components), record releases, promote, roll back, verify and detect "
        "drift.\n\n"
        "Exit codes: 0 ok; 1 error; 2 changes or drift found; 3 refused by protection; "
        "4 verification failed; 130 interrupted."
    ),
    cls=EnvmanGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state: dict[str, object] = {}

SetOpt = Annotated[
    list[str],
    typer.Option("--set", help="Override a variable: NAME=VALUE (repeatable).", metavar="N=V"),
]
PinOpt = Annotated[
    list[str],
    typer.Option(
        "--pin",
        help="Pin a variable at this run's value: later runs keep it (repeatable).",
        metavar="NAME",
    ),
]
UnpinOpt = Annotated[
    list[str],
    typer.Option(
        "--unpin",
        help="Drop the current release's pin of a variable: take the code's value (repeatable).",
        metavar="NAME",
    ),
]
YesOpt = Annotated[
    bool,
    typer.Option("--yes", help="Skip the [y/N] question (not enough for a protected environment)."),
]
ConfirmOpt = Annotated[
    str | None,
    typer.Option(
        "--confirm",
        help="Confirm by naming the environment (needed for protected environments without a terminal).",
        metavar="ENV",
    ),
]
BreakGlassOpt = Annotated[
    str | None,
    typer.Option(
        "--break-glass",
        help="Override deploy windows (deny days, freezes) and protection.promotion_only "
        "with a recorded, notified reason.",
        metavar="REASON",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]
AllowDestroyOpt = Annotated[
    list[str],
    typer.Option(
        "--allow-destroy",
        help="Let the guard allow deleting or replacing this address (repeatable; recorded).",
        metavar="ADDR",
    ),
]
LabelOpt = Annotated[
    str | None,
    typer.Option(
        "--label",
        help="Name the release (e.g. v1.2.3; default: a semantic-version git tag at HEAD, "
        "or for promote the source release's label).",
        metavar="LABEL",
    ),
]
ResultJsonOpt = Annotated[
    bool,
    typer.Option(
        "--json", help="The result (release, verification) as one JSON document on stdout."
    ),
]


def _version(value: bool) -> None:
    if value:
        from envman import __version__

        print(f"envman {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            help="Project folder (default: ENVMAN_PROJECT, else the current folder or a parent with environments/).",
            metavar="DIR",
        ),
    ] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colours in output.")] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "-v",
            "--verbose",
            help="More detail on errors (tracebacks are also in .envman/envman.log).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print envman's version and exit.", is_eager=True, callback=_version
        ),
    ] = False,
) -> None:
    _state.pop("ctx", None)  # made when a command runs: `envman plan --help` loads no config
    _state["options"] = {"project_dir": project, "no_color": no_color, "verbose": verbose}


def _ctx() -> AppContext:
    if "ctx" not in _state:
        from envman.commands import AppContext

        _state["ctx"] = AppContext(**cast("dict[str, Any]", _state["options"]))
    return cast("AppContext", _state["ctx"])


def _run(call: Callable[[], int]) -> NoReturn:
    """Run a command function and exit with its code; errors go through the one handler
    (envman.errorlog): one line on stderr, the traceback in .envman/envman.log."""
    from envman.runs.folder import end_open_runs
    from envman.secrets.streams import guard_output
    from envman.terraform import signals
    from envman.terraform.runner import forget_warnings

    signals.install()
    forget_warnings()  # the caller's ignored terraform variables: named once per command
    guard_output()  # every line on stdout/stderr goes through the redactor (docs/security.md)
    try:
        code = call()
    except typer.Exit:  # a command that chose its exit itself
        raise
    except (Exception, KeyboardInterrupt) as exc:
        raise typer.Exit(_fail(exc)) from None
    finally:  # however it ended: the files of its runs that hold values go
        end_open_runs()
    raise typer.Exit(int(code))


def _labelled(label: str | None, call: Callable[[], int]) -> int:
    """Run ``call`` with the release label the command line gave (`--label`)."""
    from envman.releases.labels import asked

    with asked(label):
        return call()


def _fail(exc: BaseException) -> int:
    from envman import errorlog

    ctx = _ctx() if "options" in _state else None
    verbose = ctx is not None and ctx.verbose
    log_dir = ctx.log_dir() if ctx is not None else errorlog.fallback_log_dir()
    show = (lambda entry: print(entry, file=sys.stderr, end="", flush=True)) if verbose else None
    outcome = errorlog.handle(exc, log_dir, show)
    if outcome.error:
        _error(outcome.line)
    else:
        print(f"envman: {outcome.line}", file=sys.stderr, flush=True)
    return outcome.exit_code


def _error(message: str) -> None:
    print(f"envman: error: {message}", file=sys.stderr, flush=True)


@app.command("list")
def list_command(as_json: JsonOpt = False) -> None:
    """List environments: stack, backend, promotion source, protection."""
    from envman.commands.list_envs import run_list

    _run(lambda: run_list(_ctx(), as_json))


def _component_option(help_text: str) -> Any:
    """-c/--component, with what it does for the command at hand (environments made of
    components: docs/components.md)."""
    return typer.Option("-c", "--component", help=help_text, metavar="COMPONENT")


GraphComponentOpt = Annotated[
    list[str],
    _component_option(
        "Plan only this component (repeatable); its upstreams' outputs are read, not planned."
    ),
]
ApplyComponentOpt = Annotated[
    list[str],
    _component_option(
        "Apply only this component (repeatable); its upstreams are read, never applied."
    ),
]
OutputsComponentOpt = Annotated[
    list[str], _component_option("Only this component's outputs (repeatable).")
]
ChangedOpt = Annotated[
    str | None,
    typer.Option(
        "--changed",
        help="Only components changed since git REF (stack, local modules, inputs) and their dependents.",
        metavar="REF",
    ),
]
ParallelOpt = Annotated[
    int, typer.Option("--parallel", help="Components run at once (default 2).", metavar="N")
]


@app.command("graph")
def graph_command(
    environment: Annotated[
        str | None, typer.Argument(help="Show the components this environment takes.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, mermaid, dot or json.")] = "text",
) -> None:
    """The component graph: which stack feeds which (docs/components.md)."""
    from envman.commands.graph import run_graph

    _run(lambda: run_graph(_ctx(), environment, fmt))


@app.command("validate")
def validate_command(
    environments: Annotated[
        list[str] | None, typer.Argument(help="Environments (default: all).")
    ] = None,
) -> None:
    """Static checks of configuration and inputs, before any terraform run."""
    from envman.commands.validate import run_validate

    _run(lambda: run_validate(_ctx(), environments or []))


@app.command("plan")
def plan_command(
    environment: Annotated[str, typer.Argument(help="The environment to plan.")],
    sets: SetOpt = [],  # noqa: B006
    as_json: JsonOpt = False,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 2 when the plan has changes.")
    ] = False,
    pin: PinOpt = [],  # noqa: B006
    unpin: UnpinOpt = [],  # noqa: B006
    diff: Annotated[
        bool, typer.Option("--diff", help="Show attribute-level changes (old → new).")
    ] = False,
    fmt: Annotated[
        str, typer.Option("--format", help="text, or markdown (the review report).")
    ] = "text",
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Also write the review report (Markdown) to FILE.", metavar="FILE"
        ),
    ] = None,
    components: GraphComponentOpt = [],  # noqa: B006
    changed: ChangedOpt = None,
    parallel: ParallelOpt = 2,
) -> None:
    """Plan an environment with its pinned inputs; the plan is saved for `apply --plan`.

    Exit 3 when a guard or policy would refuse applying this plan."""
    from envman.commands.plan import run_plan
    from envman.commands.requests import Pins, PlanRequest, Scope
    from envman.flow.review import ReviewOutput

    output = ReviewOutput(diff=diff, fmt=fmt, report=report)
    request = PlanRequest(
        environment=environment,
        sets=tuple(sets),
        as_json=as_json,
        detailed_exitcode=detailed_exitcode,
        pins=Pins(pin=tuple(pin), unpin=tuple(unpin)),
        output=output,
        scope=Scope(tuple(components), changed, parallel),
    )
    _run(lambda: run_plan(_ctx(), request))


@app.command("apply")
def apply_command(
    environment: Annotated[str, typer.Argument(help="The environment to apply.")],
    sets: SetOpt = [],  # noqa: B006
    use_plan: Annotated[
        bool,
        typer.Option(
            "--plan",
            help="Apply the plan saved by the last `envman plan ENV` (refused when stale).",
        ),
    ] = False,
    yes: YesOpt = False,
    confirm: ConfirmOpt = None,
    break_glass: BreakGlassOpt = None,
    pin: PinOpt = [],  # noqa: B006
    unpin: UnpinOpt = [],  # noqa: B006
    allow_destroy: AllowDestroyOpt = [],  # noqa: B006
    as_json: ResultJsonOpt = False,
    components: ApplyComponentOpt = [],  # noqa: B006
    parallel: ParallelOpt = 2,
    label: LabelOpt = None,
) -> None:
    """Plan, show, confirm and apply exactly that plan; record a release; verify."""
    from envman.commands.apply import run_apply
    from envman.commands.requests import ApplyRequest, Pins, Scope
    from envman.protect.confirm import ConfirmOptions

    options = ConfirmOptions(yes=yes, confirm=confirm)
    request = ApplyRequest(
        environment=environment,
        sets=tuple(sets),
        use_saved_plan=use_plan,
        confirm=options,
        break_glass=break_glass,
        pins=Pins(pin=tuple(pin), unpin=tuple(unpin)),
        allow_destroy=tuple(allow_destroy),
        as_json=as_json,
        scope=Scope(tuple(components), None, parallel),
    )
    _run(lambda: _labelled(label, lambda: run_apply(_ctx(), request)))


@app.command("promote")
def promote_command(
    target: Annotated[
        str | None,
        typer.Argument(help="Target environment (default: the one with a promotion block)."),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--from", help="Source environment (default: promotion.from).", metavar="SOURCE"
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan only; change nothing.")] = False,
    yes: YesOpt = False,
    confirm: ConfirmOpt = None,
    break_glass: BreakGlassOpt = None,
    allow_destroy: AllowDestroyOpt = [],  # noqa: B006
    as_json: ResultJsonOpt = False,
    label: LabelOpt = None,
) -> None:
    """Promote the source environment's outputs (e.g. image tags) into the target."""
    from envman.commands.promote import run_promote
    from envman.commands.requests import PromoteRequest
    from envman.protect.confirm import ConfirmOptions

    options = ConfirmOptions(yes=yes, confirm=confirm)
    request = PromoteRequest(
        target=target,
        source=source,
        dry_run=dry_run,
        confirm=options,
        break_glass=break_glass,
        allow_destroy=tuple(allow_destroy),
        as_json=as_json,
    )

    _run(lambda: _labelled(label, lambda: run_promote(_ctx(), request)))


@app.command("rollback")
def rollback_command(
    environment: Annotated[str, typer.Argument(help="The environment to roll back.")],
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Release to go back to: a seq, or a label (its newest successful release). "
            "Default: the one before the current.",
            metavar="SEQ|LABEL",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan only; change nothing.")] = False,
    yes: YesOpt = False,
    confirm: ConfirmOpt = None,
    allow_destroy: AllowDestroyOpt = [],  # noqa: B006
    as_json: ResultJsonOpt = False,
) -> None:
    """Re-apply an earlier release's inputs (a real planned apply, recorded as kind rollback)."""
    from envman.commands.requests import RollbackRequest
    from envman.commands.rollback import run_rollback
    from envman.protect.confirm import ConfirmOptions
    from envman.releases.labels import seq_of

    def rollback() -> int:
        request = RollbackRequest(
            environment=environment,
            to_seq=seq_of(_ctx().project, environment, to, "--to"),
            dry_run=dry_run,
            confirm=ConfirmOptions(yes=yes, confirm=confirm),
            allow_destroy=tuple(allow_destroy),
            as_json=as_json,
        )
        return run_rollback(_ctx(), request)

    _run(rollback)


DestroyComponentOpt = Annotated[
    list[str],
    _component_option(
        "Destroy only this component (repeatable; its dependents first). Default: every "
        "component. An orphaned component is destroyed with its recorded stack code."
    ),
]
DestroyConfirmOpt = Annotated[
    str | None,
    typer.Option(
        "--confirm",
        help="The environment's name: destroy always needs it (typed on a terminal, or here).",
        metavar="ENV",
    ),
]
TfComponentOpt = Annotated[
    list[str],
    _component_option("The component whose stack terraform runs in (one; needed with components)."),
]


@app.command("destroy")
def destroy_command(
    environment: Annotated[str, typer.Argument(help="The environment to destroy.")],
    components: DestroyComponentOpt = [],  # noqa: B006
    confirm: DestroyConfirmOpt = None,
    break_glass: Annotated[
        str | None,
        typer.Option(
            "--break-glass",
            help="Needed to destroy a protected environment; also overrides deploy windows. Recorded.",
            metavar="REASON",
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Never enough to destroy: the name is always needed.")
    ] = False,
    allow_destroy: AllowDestroyOpt = [],  # noqa: B006
) -> None:
    """Plan a destroy with the environment's inputs, show it, type the name, destroy, record it."""
    from envman.commands.destroy import run_destroy
    from envman.operate.destroy import DestroyOptions
    from envman.secrets.redactor import redact_stored

    options = DestroyOptions(
        confirm=confirm,
        yes=yes,
        break_glass=break_glass,
        allow_destroy=tuple(allow_destroy),
        redact=redact_stored,
    )

    _run(lambda: run_destroy(_ctx(), environment, options, tuple(components)))


@app.command("forget")
def forget_command(
    environment: Annotated[str, typer.Argument(help="The environment (its folder may be gone).")],
    reason: Annotated[
        str,
        typer.Option(
            "--reason", help="Where its state went or why it stays (recorded).", metavar="TEXT"
        ),
    ],
    components: Annotated[
        list[str],
        _component_option(
            "The orphaned component to forget (repeatable; needed unless the environment's "
            "folder is gone)."
        ),
    ] = [],  # noqa: B006
    as_json: JsonOpt = False,
) -> None:
    """Let an orphan go: record an audit entry, leave its state alone, stop reporting it."""
    from envman.commands.orphans import run_forget

    _run(lambda: run_forget(_ctx(), environment, tuple(components), reason, as_json))


@app.command(
    "tf",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def tf_command(
    environment: Annotated[str, typer.Argument(help="The environment.")],
    args: Annotated[
        list[str] | None,
        typer.Argument(help="terraform's arguments, after --.", metavar="-- TERRAFORM-ARGS..."),
    ] = None,
    components: TfComponentOpt = [],  # noqa: B006
    confirm: ConfirmOpt = None,
) -> None:
    """terraform itself with the environment's setup; state changes locked and audited."""
    from envman.commands.tf import TfOptions, run_tf
    from envman.secrets.redactor import redact_stored

    options = TfOptions(confirm=confirm, redact=redact_stored, components=tuple(components))
    _run(lambda: run_tf(_ctx(), environment, args or [], options))


@app.command("history")
def history_command(
    environment: Annotated[str, typer.Argument(help="The environment.")],
    as_json: JsonOpt = False,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Show at most N releases.", metavar="N", min=1)
    ] = None,
    label: Annotated[
        str | None,
        typer.Option("--label", help="Only the releases with this label.", metavar="LABEL"),
    ] = None,
) -> None:
    """The environment's releases and `envman tf` audit entries, newest first."""
    from envman.commands.history import HistoryOptions, run_history

    options = HistoryOptions(as_json=as_json, limit=limit, label=label)
    _run(lambda: run_history(_ctx(), environment, options))


@app.command("status")
def status_command(
    environments: Annotated[
        list[str] | None, typer.Argument(help="Environments (default: all).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Current release per environment, pinned versions, pending promotions, last drift."""
    from envman.commands.status import run_status

    _run(lambda: run_status(_ctx(), environments or [], as_json))


InsightFormatOpt = Annotated[
    str, typer.Option("--format", help="text, markdown or json.", metavar="FORMAT")
]


def _insight_format(fmt: str, as_json: bool) -> Any:
    from envman.errors import UsageError
    from envman.insight.render import InsightFormat

    try:
        return InsightFormat.JSON if as_json else InsightFormat(fmt)
    except ValueError:
        raise UsageError(f"--format {fmt}: use text, markdown or json") from None


@app.command("diff")
def diff_command(
    source: Annotated[str, typer.Argument(help="The environment promoted from.")],
    target: Annotated[str, typer.Argument(help="The environment promoted into.")],
    as_json: JsonOpt = False,
    fmt: InsightFormatOpt = "text",
) -> None:
    """What a promotion of SOURCE into TARGET would carry: values, commits, verify, drift."""
    from envman.commands.diff import run_diff

    _run(lambda: run_diff(_ctx(), source, target, _insight_format(fmt, as_json)))


@app.command("changelog")
def changelog_command(
    environment: Annotated[str, typer.Argument(help="The environment.")],
    since: Annotated[
        str | None,
        typer.Option("--from", help="Start after this release (seq or label).", metavar="REF"),
    ] = None,
    upto: Annotated[
        str | None,
        typer.Option("--to", help="End with this release (seq or label).", metavar="REF"),
    ] = None,
    as_json: JsonOpt = False,
    fmt: InsightFormatOpt = "text",
) -> None:
    """Release notes (markdown fit for a GitHub Release body with --format markdown)."""
    from envman.commands.changelog import run_changelog

    _run(lambda: run_changelog(_ctx(), environment, (since, upto), _insight_format(fmt, as_json)))


@app.command("metrics")
def metrics_command(
    environments: Annotated[
        list[str] | None, typer.Argument(help="Environments (default: all).", metavar="[ENV]...")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Start of the window: a duration back from --until (90d) or a date/time.",
            metavar="WHEN",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="End of the window (default: now).", metavar="WHEN"),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option("--days", help="The window is the N days before --until.", metavar="N", min=1),
    ] = None,
    as_json: JsonOpt = False,
    fmt: Annotated[
        MetricsFormat, typer.Option("--format", help="text or markdown.")
    ] = MetricsFormat.TEXT,
) -> None:
    """The four DORA keys per environment from the ledger, with the counts behind each
    and the DORA band (docs/metrics.md)."""
    from envman.commands.metrics import MetricsOptions, run_metrics
    from envman.insight.window import WindowOptions

    options = MetricsOptions(WindowOptions(since, until, days), as_json, fmt)
    _run(lambda: run_metrics(_ctx(), environments or [], options))


@app.command("report")
def report_command(
    html: Annotated[
        Path,
        typer.Option("--html", help="Write the static dashboard into DIR.", metavar="DIR"),
    ],
    environments: Annotated[
        list[str] | None, typer.Argument(help="Environments (default: all).", metavar="[ENV]...")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Start of the metrics window (default: 90d).", metavar="WHEN"),
    ] = None,
) -> None:
    """A static, self-contained HTML dashboard: environments matrix, a page per environment,
    DORA charts (docs/dashboard.md)."""
    from envman.commands.report import run_report
    from envman.insight.window import WindowOptions

    _run(lambda: run_report(_ctx(), html, environments or [], WindowOptions(since=since)))


@app.command("outputs")
def outputs_command(
    environment: Annotated[str, typer.Argument(help="The environment.")],
    name: Annotated[
        str | None,
        typer.Argument(
            help="One output: print only it (with --raw: its bare value). With components: "
            "component.name, or a name only one component declares."
        ),
    ] = None,
    as_json: JsonOpt = False,
    raw: Annotated[
        bool,
        typer.Option("--raw", help="With NAME: the value alone, for scripts (strings unquoted)."),
    ] = False,
    components: OutputsComponentOpt = [],  # noqa: B006
) -> None:
    """The environment's outputs; sensitive values are shown as <sensitive>."""
    from envman.commands.outputs import OutputsRequest, run_outputs

    request = OutputsRequest(environment, name, as_json, raw, components=tuple(components))
    _run(lambda: run_outputs(_ctx(), request))


drift_app = typer.Typer(
    name="drift",
    cls=DefaultCommandGroup,
    help=(
        "Detect drift (never changes anything); acknowledge findings. "
        "`envman drift ENV...` is `envman drift check ENV...`."
    ),
    no_args_is_help=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(drift_app)


@drift_app.command("check")
def drift_check_command(
    environments: Annotated[
        list[str] | None, typer.Argument(help="Environments (default: all).", metavar="[ENV]...")
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="Report format on stdout.")
    ] = ReportFormat.TEXT,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write the report to FILE (format from its extension: .json, .md, .xml).",
            metavar="FILE",
        ),
    ] = None,
    notify: Annotated[
        bool, typer.Option("--notify", help="Notify (Slack) about new or changed drift.")
    ] = False,
    parallel: Annotated[
        int | None,
        typer.Option(
            "--parallel",
            help="Environments checked at once (default: CPU count; at least 1).",
            metavar="N",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Alias of --format json.")] = False,
) -> None:
    """Check environments for drift. Exit 2 drift, 1 error only, 0 clean."""
    from envman.commands.drift import DriftOptions, run_check

    options = DriftOptions(fmt, report, notify, parallel, as_json)
    _run(lambda: run_check(_ctx(), environments or [], options))


@drift_app.command("ack")
def drift_ack_command(
    environment: Annotated[str, typer.Argument(help="The environment.", metavar="ENV")],
    fingerprint: Annotated[
        str, typer.Argument(help="The finding's fingerprint (from the report).")
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the finding is acceptable.", metavar="TEXT")
    ],
    expires: Annotated[
        str,
        typer.Option(
            "--expires",
            help="When the acknowledgement ends: a date (through that day, UTC) or RFC 3339 time.",
            metavar="DATE",
        ),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Acknowledge a drift finding until a date (kept in the environment's baseline)."""
    from envman.commands.drift import AckRequest, run_ack

    request = AckRequest(environment, fingerprint, reason, expires, as_json)
    _run(lambda: run_ack(_ctx(), request))


@drift_app.command("baseline")
def drift_baseline_command(
    environment: Annotated[str, typer.Argument(help="The environment.", metavar="ENV")],
    as_json: JsonOpt = False,
) -> None:
    """List the environment's acknowledged drift (active and expired)."""
    from envman.commands.drift import run_baseline

    _run(lambda: run_baseline(_ctx(), environment, as_json))


@app.command("verify")
def verify_command(environment: Annotated[str, typer.Argument(help="The environment.")]) -> None:
    """Re-run the environment's verify checks against its current release."""
    from envman.commands.verify import run_verify

    _run(lambda: run_verify(_ctx(), environment))


@app.command("bootstrap")
def bootstrap_command(
    environment: Annotated[
        str, typer.Argument(help="The environment whose state bucket to create.")
    ],
    fix: Annotated[
        bool,
        typer.Option(
            "--fix", help="Turn on versioning/encryption/public-access block on an existing bucket."
        ),
    ] = False,
) -> None:
    """Create the S3 state bucket (versioned, encrypted, private, TLS only); idempotent."""
    from envman.commands.bootstrap import run_bootstrap

    _run(lambda: run_bootstrap(_ctx(), environment, fix))


@app.command("unlock")
def unlock_command(
    environment: Annotated[str, typer.Argument(help="The environment.")],
    lock_id: Annotated[
        str, typer.Argument(help="The lock id (terraform state lock, or envman's operation lock).")
    ],
    confirm: Annotated[
        str | None,
        typer.Option(
            "--confirm", help="The environment's name: always needed to unlock.", metavar="ENV"
        ),
    ] = None,
    component: Annotated[
        str | None,
        typer.Option(
            "-c",
            "--component",
            help="The component whose terraform state lock it is (environments of components).",
            metavar="COMPONENT",
        ),
    ] = None,
) -> None:
    """Release a stale lock left by a crashed run; always needs --confirm ENV."""
    from envman.commands.unlock import run_unlock

    _run(lambda: run_unlock(_ctx(), environment, lock_id, confirm, component))


emulator_app = typer.Typer(
    name="emulator",
    cls=TidyGroup,
    help="The embedded AWS emulator (moto server on 127.0.0.1) for local work.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(emulator_app)
EmulatorPortOpt = Annotated[
    int,
    typer.Option(
        "--port",
        help="Port on 127.0.0.1 (default 4566).",
        metavar="N",
        show_default=False,
        min=1,
        max=65535,
    ),
]


@emulator_app.command("start")
def emulator_start_command(port: EmulatorPortOpt = 4566) -> None:
    """Start the emulator in the background (already running: says where, changes nothing)."""
    from envman.commands.emulator import run_emulator_start

    _run(lambda: run_emulator_start(_ctx(), port))


@emulator_app.command("stop")
def emulator_stop_command() -> None:
    """Stop the emulator envman started in this project."""
    from envman.commands.emulator import run_emulator_stop

    _run(lambda: run_emulator_stop(_ctx()))


@emulator_app.command("status")
def emulator_status_command(port: EmulatorPortOpt = 4566) -> None:
    """Whether the emulator runs and answers (exit 0), else why not (exit 1)."""
    from envman.commands.emulator import run_emulator_status

    _run(lambda: run_emulator_status(_ctx(), port))


@app.command("init")
def init_command(
    environments: Annotated[
        list[str] | None,
        typer.Argument(
            help="Environments to set up (default: dev); the first adopts the existing state.",
            metavar="[ENV]...",
        ),
    ] = None,
    stack: Annotated[
        Path | None,
        typer.Option(
            "--stack",
            help="The root module's folder (default: the folder whose *.tf declare a backend).",
            metavar="DIR",
        ),
    ] = None,
    ci: Annotated[
        str | None,
        typer.Option(
            "--ci",
            help="Also write a CI workflow: github (plan on PR, apply on merge, drift).",
            metavar="github",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the files it would write; write nothing.")
    ] = False,
) -> None:
    """Adopt envman in a terraform repository: environment folders, .gitignore, a workflow.

    Never touches state or existing files; a second run changes nothing."""
    from envman.commands.init import InitOptions, run_init

    options = InitOptions(tuple(environments or ()), stack, ci, dry_run)
    _run(lambda: run_init(_ctx(), options))


def main() -> None:
    from envman.terraform import signals

    try:
        app()
    finally:  # the exit code is decided: a late Ctrl-C / SIGTERM must not replace it
        signals.ignore_from_now()
