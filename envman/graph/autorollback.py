"""The automatic rollback of a component environment after a failed verification
(`verify { on_failure = "rollback" }`), run by the command that saw it, without asking:
each component whose pins changed goes back to the environment's current release, in graph
order, as one release of kind rollback; the failed release stays `verify_failed` (what happened
to it), as a single stack's does."""

from __future__ import annotations

from collections.abc import Callable

from envman.errors import EnvmanError
from envman.graph.after import after_graph_apply, announcer, apply_announced
from envman.graph.apply import GraphApply, begin_graph_release, touched
from envman.graph.plan import plan_graph
from envman.graph.promote import plan_graph_rollback
from envman.hooks import run_hooks
from envman.planning import PlannedRun
from envman.releases.models import Kind, Release
from envman.releases.versions import change_lines
from envman.runs.folder import finish_run


def wants_rollback(job: GraphApply, code: int) -> bool:
    verify = job.target.env.config.verify
    return (
        code != 0
        and job.kind in (Kind.APPLY, Kind.PROMOTE)
        and verify is not None
        and verify.on_failure == "rollback"
    )


def auto_rollback(
    job: GraphApply, failed: Release, review: Callable[[PlannedRun], list[str]] | None
) -> Release | None:
    """Roll back after ``failed`` failed verification; the rollback release (None when there
    was nothing to go back to, or when the rollback failed: then it is said and announced,
    and the run still ends with the failed verification's exit code)."""
    env = job.target.env
    job.say(f"Verification failed; rolling '{env.name}' back automatically.")
    try:
        return _roll_back(job, failed, review)
    except EnvmanError as exc:
        job.say(f"Automatic rollback failed: {exc}")
        title = f"automatic rollback of {env.name} failed"
        announcer(job)("rollback_failed", failed, title, [str(exc)])
        return None


def _roll_back(
    job: GraphApply, failed: Release, review: Callable[[PlannedRun], list[str]] | None
) -> Release | None:
    env = job.target.env
    goal = job.ledger.current()
    if goal is None:
        job.say(f"'{env.name}' has no earlier release to roll back to; left as it is.")
        return None
    change = plan_graph_rollback(job.target.project, env, goal.seq, automatic=True)
    runs = plan_graph(change.target, job.ledger) if change.target.targets else {}
    try:
        names = touched(runs)
        if not names:
            job.say("Nothing to roll back: no component's inputs changed since that release.")
            return None
        back = GraphApply(change.target, job.ledger, runs, job.say, kind=Kind.ROLLBACK)
        back.lease, back.review = job.lease, review
        back.version_lines = change_lines(change.rows, "rolled back")
        for name in names:
            planned = runs[name].planned
            if planned is not None and review is not None:
                review(planned)
        run_hooks(env, "before_apply", {})
        release = begin_graph_release(back, names, rollback_of=failed.seq, target_seq=goal.seq)
        apply_announced(back, release, names)
    finally:
        for run in runs.values():
            if run.planned is not None and run.planned.run is not None:
                finish_run(run.planned.run)
    after_graph_apply(back, release, job.say)
    title = f"{env.name} rolled back automatically to release #{goal.seq}"
    announcer(back)("auto_rollback", release, title, [f"release #{failed.seq} failed verification"])
    return release
