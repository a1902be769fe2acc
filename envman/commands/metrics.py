"""envman metrics [ENV...]: the four DORA keys per environment (docs/metrics.md)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from envman.commands import AppContext, emit_json, emit_text
from envman.errors import EXIT_OK
from envman.insight.formats import MetricsFormat
from envman.insight.gitlog import GitCommits
from envman.insight.load import Loaded, load, with_sources
from envman.insight.metrics import compute
from envman.insight.metrics_render import metrics_json, metrics_markdown, metrics_text
from envman.insight.model import EnvMetrics, Window
from envman.insight.window import WindowOptions, window_of


@dataclass(frozen=True)
class MetricsOptions:
    window: WindowOptions = field(default_factory=WindowOptions)
    as_json: bool = False
    fmt: MetricsFormat = MetricsFormat.TEXT


def measure(
    ctx: AppContext, names: list[str], window: Window, drift: bool = False
) -> tuple[Loaded, list[EnvMetrics]]:
    """The metrics of ``names`` (all environments when empty), their sources read too."""
    project = ctx.project
    wanted = names or project.environment_names()
    loaded = load(project, with_sources(project, wanted), drift=drift)
    histories = list(loaded.histories.values())
    commits = {r.git.commit for h in histories for r in h.releases if r.git.commit}
    found = compute(histories, window, GitCommits(project.root, commits))
    return loaded, [m for m in found if m.environment in wanted]


def run_metrics(ctx: AppContext, names: list[str], options: MetricsOptions) -> int:
    window = window_of(options.window)
    loaded, metrics = measure(ctx, names, window)
    for problem in loaded.problems:
        print(f"warning: {problem}", file=sys.stderr)
    if options.as_json:
        emit_json(metrics_json(metrics, window))
    elif options.fmt == MetricsFormat.MARKDOWN:
        emit_text(metrics_markdown(metrics, window))
    else:
        emit_text(metrics_text(metrics, window))
    return EXIT_OK
