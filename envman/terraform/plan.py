"""`terraform plan -out`, with streamed -json UI messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import replace as with_fields
from pathlib import Path
from typing import Any

from envman.terraform.models import Action, PlanSummary, changes_nothing
from envman.terraform.runner import Event, EventHandler, Follow, Terraform


@dataclass(frozen=True)
class PlanOptions:
    out: Path
    var_files: tuple[Path, ...] = ()
    refresh_only: bool = False
    refresh: bool = True
    lock: bool = True
    lock_timeout: str = "0s"
    destroy: bool = False
    targets: tuple[str, ...] = ()
    events: Path | None = None  # the run's event log (terraform writes its -json stream there)


def build_plan_args(options: PlanOptions) -> list[str]:
    args = ["plan", "-json", "-input=false", f"-out={options.out}"]
    args.append(f"-lock={'true' if options.lock else 'false'}")
    args.append(f"-lock-timeout={options.lock_timeout}")
    if options.refresh_only:
        args.append("-refresh-only")
    if not options.refresh:
        args.append("-refresh=false")
    if options.destroy:
        args.append("-destroy")
    args.extend(f"-var-file={path}" for path in options.var_files)
    args.extend(f"-target={target}" for target in options.targets)
    return args


@dataclass
class StreamedPlan:
    """What the streamed -json messages of a plan say, without a `show -json`."""

    summary: PlanSummary = field(default_factory=PlanSummary)
    # (address, action); actions are ``Action`` members (a word a newer terraform writes stays
    # a plain string); judge them with ``changes_nothing`` / ``Actions.of``.
    planned: list[tuple[str, Action | str]] = field(default_factory=list)
    drifted: list[tuple[str, Action | str]] = field(default_factory=list)
    output_actions: dict[str, Action | str] = field(default_factory=dict)

    def feed(self, event: Event) -> None:
        kind = event.get("type")
        if kind == "planned_change":
            change = event.get("change") or {}
            address = (change.get("resource") or {}).get("addr", "")
            self.planned.append((address, Action.parse(change.get("action"))))
        elif kind == "resource_drift":
            change = event.get("change") or {}
            address = (change.get("resource") or {}).get("addr", "")
            self.drifted.append((address, Action.parse(change.get("action"))))
        elif kind == "outputs":  # terraform writes it after the change summary
            for name, raw in (event.get("outputs") or {}).items():
                if isinstance(raw, dict):
                    self.output_actions[name] = Action.parse(raw.get("action"))
            changed = sum(1 for a in self.output_actions.values() if not changes_nothing(a))
            self.summary = with_fields(self.summary, outputs_changed=changed)
        elif kind == "change_summary":
            counts: dict[str, Any] = event.get("changes") or {}
            replace = sum(1 for _, action in self.planned if action == Action.REPLACE)
            outputs = sum(1 for a in self.output_actions.values() if not changes_nothing(a))
            self.summary = PlanSummary(
                add=int(counts.get("add", 0)),
                change=int(counts.get("change", 0)),
                destroy=int(counts.get("remove", 0)),
                replace=replace,
                outputs_changed=outputs,
            )


def run_plan(
    tf: Terraform, options: PlanOptions, on_event: EventHandler | None = None
) -> StreamedPlan:
    streamed = StreamedPlan()

    def handle(event: Event) -> None:
        streamed.feed(event)
        if on_event is not None:
            on_event(event)

    options.out.parent.mkdir(parents=True, exist_ok=True)
    try:
        follow = Follow(handle, events=options.events)
        tf.run(build_plan_args(options), follow=follow, what="terraform plan")
    except BaseException:
        options.out.unlink(missing_ok=True)  # a failed plan is of no use
        raise
    protect_plan_file(options.out)
    return streamed


def protect_plan_file(path: Path) -> None:
    """Plan files hold every variable value, sensitive ones too: owner-only."""
    if path.exists():
        path.chmod(0o600)
