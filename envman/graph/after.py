"""What follows a graph apply, as after a single-stack one: after hooks, verification
(`verified` / `verify_failed`, exit 4) and notifications.

Hooks and checks see the outputs of every component of the environment, each under its own
name and as `component.name` (`url_output = "app.url"` names one without ambiguity).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from envman.config.project import Environment, Project
from envman.errors import EXIT_OK, EXIT_VERIFY_FAILED, EnvmanError
from envman.flow.after import HOOK_EVENTS, Announcer, after_apply
from envman.graph.apply import GraphApply, apply_graph
from envman.releases.chain import recorded_outputs
from envman.releases.models import IMPLICIT, Release
from envman.terraform.models import OutputValue
from envman.terraform.state_direct import current_outputs


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
            if name != IMPLICIT:  # a single stack's outputs keep their own names only
                merged[f"{name}.{output}"] = value
    return merged


def _reads_outputs(job: GraphApply) -> bool:
    config = job.target.env.config
    events = HOOK_EVENTS.get(job.kind, ())
    return config.verify is not None or any(h.event in events for h in config.hook)


def state_outputs(project: Project, env: Environment) -> dict[str, OutputValue]:
    """Every component's state outputs, as `name` and `component.name` (`envman verify`)."""
    from envman.graph.plan import component_workspace
    from envman.graph.select import graph_target

    target = graph_target(project, env)
    return _merge({n: current_outputs(component_workspace(target, n)) for n in target.names})


def announcer(job: GraphApply) -> Announcer:
    """The run's notifications: titles name the components it applied."""
    applied = tuple(n for n, e in job.entries.items() if e.status == "applied")
    components = None if job.target.implicit else applied
    return Announcer(
        job.target.env, job.kind, job.break_glass, components, version_lines=job.version_lines
    )


def announce(job: GraphApply, release: Release, event: str, lines: list[str]) -> None:
    """A notification of this run that is not its outcome (a failure, a rollback)."""
    title = f"{job.kind} of {job.target.env.name}: {event}"
    announcer(job)(event, release, title, lines)


def apply_announced(
    job: GraphApply,
    release: Release,
    names: list[str],
    apply: Callable[[GraphApply, Release, list[str]], object] = apply_graph,
) -> None:
    """Apply the recorded run; a failure is announced (`<kind>_failed`) and raised."""
    try:
        apply(job, release, names)
    except EnvmanError as exc:
        announcer(job).failed(release, str(exc))
        raise


def after_graph_apply(job: GraphApply, release: Release, say: Callable[[str], None]) -> int:
    """Hooks, verification, notification; the exit code (0, or 4 when verification failed)."""
    outputs = merged_outputs(job)
    previous = recorded_outputs(job.ledger, release.seq, job.target.names) or None
    after = after_apply(job.ledger, release, outputs, previous, announcer(job), job.say)
    for problem in after.problems:  # a failed status write: said, never raised
        job.say(f"warning: {problem}")
    if after.verify.ran:
        say(after.verify.summary())
        if not after.verify.ok:
            return EXIT_VERIFY_FAILED
    return EXIT_OK
