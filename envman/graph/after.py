"""What follows a graph apply, as after a single-stack one: after hooks, verification
(`verified` / `verify_failed`, exit 4) and notifications.

Hooks and checks see the outputs of every component of the environment, each under its own
name and as `component.name` (`url_output = "app.url"` names one without ambiguity).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from envman.config.project import Environment, Project
from envman.errors import EXIT_OK, EXIT_VERIFY_FAILED, EnvmanError
from envman.graph.apply import GraphApply
from envman.hooks import run_hooks
from envman.notify.dispatch import Notification, notify
from envman.releases.chain import recorded_outputs
from envman.releases.models import Kind, Release
from envman.releases.record import set_status
from envman.say import say_on_stderr
from envman.terraform.models import OutputValue
from envman.terraform.state_direct import current_outputs
from envman.verify.runner import verify_environment

HOOKS = {
    Kind.APPLY: ("after_apply",),
    Kind.PROMOTE: ("after_apply", "after_promote"),
    Kind.ROLLBACK: ("after_apply", "after_rollback"),
}


def merged_outputs(job: GraphApply) -> dict[str, OutputValue]:
    """The outputs of every component: this run's, and the state's of the components the run
    left out (a promotion of `app`, `-c`) when a hook or a check will read them."""
    from envman.graph.plan import component_workspace

    wanted = _reads_outputs(job)
    per: dict[str, Mapping[str, OutputValue]] = {}
    for name in job.target.names:
        run = job.runs.get(name)
        if run is not None:
            per[name] = run.outputs
        elif wanted:
            per[name] = current_outputs(component_workspace(job.target, name))
    return _merge(per)


def _merge(per: Mapping[str, Mapping[str, OutputValue]]) -> dict[str, OutputValue]:
    """Each output as `name` (the first component in graph order that has it) and as
    `component.name`."""
    merged: dict[str, OutputValue] = {}
    for name, outputs in per.items():
        for output, value in outputs.items():
            merged.setdefault(output, value)
            merged[f"{name}.{output}"] = value
    return merged


def _reads_outputs(job: GraphApply) -> bool:
    config = job.target.env.config
    events = HOOKS.get(job.kind, ())
    return config.verify is not None or any(h.event in events for h in config.hook)


def state_outputs(project: Project, env: Environment) -> dict[str, OutputValue]:
    """Every component's state outputs, as `name` and `component.name` (`envman verify`)."""
    from envman.graph.plan import component_workspace
    from envman.graph.select import graph_target

    target = graph_target(project, env)
    return _merge({n: current_outputs(component_workspace(target, n)) for n in target.names})


def after_graph_apply(job: GraphApply, release: Release, say: Callable[[str], None]) -> int:
    """Hooks, verification, notification; the exit code (0, or 4 when verification failed)."""
    env = job.target.env
    outputs = merged_outputs(job)
    try:
        for event in HOOKS.get(job.kind, ()):
            run_hooks(env, event, outputs)
    except EnvmanError as exc:
        set_status(job.ledger, release, "failed", error=f"hook failed: {exc}", warn=job.say)
        announce(job, release, f"{job.kind}_failed", [str(exc)])
        raise
    previous = recorded_outputs(job.ledger, release.seq, job.target.names) or None
    outcome = verify_environment(env, outputs, previous, say_on_stderr)
    if outcome.ran:
        status = "verified" if outcome.ok else "verify_failed"
        set_status(
            job.ledger,
            release,
            status,
            verification={"ok": outcome.ok, "checks": outcome.checks},
            warn=job.say,
        )
        say(outcome.summary())
        if not outcome.ok:
            announce(job, release, "verify_failed", [outcome.summary()])
            return EXIT_VERIFY_FAILED
    announce(job, release, str(job.kind), [])
    return EXIT_OK


def announce(job: GraphApply, release: Release, event: str, lines: list[str]) -> None:
    env = job.target.env
    applied = [n for n, e in job.entries.items() if e.status == "applied"]
    title = f"{job.kind} of {env.name} ({', '.join(applied) or 'no component'}): {event}"
    notify(
        env,
        Notification(
            event=event,
            environment=env.name,
            title=title,
            lines=lines,
            release=release.to_json(),
            break_glass=job.break_glass,
        ),
    )
