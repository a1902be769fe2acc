"""Lead time for changes (docs/metrics.md, "Lead time for changes").

Per commit a deployment carried: when the deployment went live minus the commit's time. The
commits a deployment carried are those of its code that the environment's previous deployment
did not have; the code of a promotion is the code of the release it promoted, followed up the
promotion chain to where the values were first released. When the checkout does not have those
commits (or records have none), the deployment is measured from the start of that first release
instead, and the output says so.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from envman.insight.bands import lead_time_band
from envman.insight.model import CommitTimes, LeadBasis, LeadTime
from envman.insight.timing import finished, started
from envman.releases.models import Kind, Release

MAX_CHAIN = 32  # promotion chains longer than this are cut (a loop in broken records)
Index = Mapping[tuple[str, int], Release]


def origin(release: Release, index: Index) -> Release:
    """Where the values of ``release`` were first released: up its promotion sources."""
    current = release
    for _ in range(MAX_CHAIN):
        source = current.source
        if current.kind != Kind.PROMOTE or source is None or source.seq is None:
            break
        found = index.get((source.environment, source.seq))
        if found is None:
            break
        current = found
    return current


def lead_time(
    deployments: Sequence[tuple[Release | None, Release]], index: Index, commits: CommitTimes
) -> LeadTime:
    """Over (previous deployment, deployment) pairs of one environment."""
    samples: list[float] = []
    from_commits = fallback = without = 0
    for previous, release in deployments:
        end = finished(release)
        if end is None:
            continue
        first = origin(release, index)
        before = origin(previous, index).git.commit if previous is not None else None
        commit = first.git.commit
        times = commits(before, commit) if commit else None
        if times is None:
            begun = started(first)
            if begun is not None:
                samples.append(max((end - begun).total_seconds(), 0.0))
                fallback += 1
        elif not times:
            without += 1
        else:
            samples.extend(max((end - t).total_seconds(), 0.0) for t in times)
            from_commits += len(times)
    median = statistics.median(samples) if samples else None
    return LeadTime(
        median_seconds=median,
        samples=len(samples),
        from_commits=from_commits,
        from_first_release=fallback,
        without_new_commits=without,
        basis=_basis(from_commits, fallback),
        band=lead_time_band(median) if median is not None else None,
    )


def _basis(from_commits: int, fallback: int) -> LeadBasis:
    if from_commits and fallback:
        return LeadBasis.MIXED
    if from_commits:
        return LeadBasis.GIT
    return LeadBasis.FIRST_RELEASE if fallback else LeadBasis.NONE
