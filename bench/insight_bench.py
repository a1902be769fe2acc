"""Insight benchmark: `envman metrics` and `envman report --html` over 4 environments x 3,000
releases on S3 (a moto server), side by side with the floor: a process that reads those
ledgers' records once (list, fetch and parse each record, 16 at a time, as both commands do).

Targets (docs/metrics.md, docs/dashboard.md): each command <= 3 s and <= 1.5x the floor;
index.html <= 1 MB; the page renders in headless Chromium in <= 1 s (navigation start to the
end of the load event, measured by the page's own clock over the DevTools protocol).
Figures, never asserts.

Run as a script with ``--floor PROJECT`` it is the floor itself.
"""

from __future__ import annotations

import itertools
import json
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

RELEASES = 3000
CHAIN = ("dev", "qa", "staging", "production")  # each promoted from the one before
BUCKET = "envman-test-tfstate"
RUNS = 5
START = datetime(2026, 10, 1, tzinfo=UTC)
STEP = timedelta(minutes=30)  # 3,000 releases in 62 days: all inside the default 90-day window
NOW = (START + RELEASES * STEP + timedelta(days=1)).isoformat().replace("+00:00", "Z")

Timer = Callable[[Sequence[str], dict[str, str]], float]


def _times(index: int) -> tuple[str, str]:
    start = START + index * STEP
    end = start + timedelta(minutes=4)
    return (start.isoformat().replace("+00:00", "Z"), end.isoformat().replace("+00:00", "Z"))


def _kind_status(env: str, i: int) -> dict[str, Any]:
    """A mix per 20 releases: deployments, a failed verification rolled back automatically,
    a hotfix, the rest verified."""
    step = i % 20
    if step == 16:
        return {"kind": "rollback", "status": "verified", "rollback_of": i, "target_seq": i - 1}
    deploy = "apply" if env == CHAIN[0] else "promote"
    fields: dict[str, Any] = {"kind": deploy, "status": "verified"}
    if step == 15:
        fields["status"] = "verify_failed"
    if step == 19 and env != CHAIN[0]:
        fields = {"kind": "apply", "status": "verified", "promotion_bypass": ["image_tag"]}
    if fields["kind"] == "promote":
        source = CHAIN[CHAIN.index(env) - 1]
        fields["source"] = {"environment": source, "seq": i + 1, "serial": i, "lineage": "l"}
    return fields


def record(env: str, i: int) -> dict[str, Any]:
    """Release ``i + 1`` of ``env``: the size and shape of a real record."""
    started, finished = _times(i)
    tag = f"v1.{i // 20}.{i % 20}"
    values: dict[str, dict[str, Any]] = {
        "environment": {"value": env, "source": "tfvars", "file": "terraform.tfvars"},
        "image_tag": {"value": tag, "source": "promotion"},
        "replicas": {"value": 2, "source": "default"},
        "api_token": {"sensitive": True, "source": "default"},
    }
    return {
        "schema": 1,
        "environment": env,
        "seq": i + 1,
        "inputs": {"image_tag": tag},
        "values": values,
        "outputs": {"image_tag": tag, "bucket": f"{env}-bucket"},
        "state": {"serial_before": i, "lineage_before": "l", "serial_after": i + 1},
        "plan": {"add": 0, "change": 1, "destroy": 0, "replace": 0},
        "actor": "ci@runner",
        "git": {"commit": f"{i:040x}", "dirty": False},
        "envman_version": "0.9.0",
        "started_at": started,
        "finished_at": finished,
        "verification": {"ok": i % 20 != 15, "checks": [{"name": "api", "ok": i % 20 != 15}]},
        **_kind_status(env, i),
    }


def fill(s3: Any) -> None:
    def put(item: tuple[str, int]) -> None:
        env, i = item
        key = f"{env}/terraform.tfstate.releases/{i + 1:08d}.json"
        s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(record(env, i)).encode())

    items = [(env, i) for env in CHAIN for i in range(RELEASES)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(put, items))


def add_promotions(project: Path) -> None:
    for before, env in itertools.pairwise(CHAIN):
        path = project / "environments" / env / "environment.hcl"
        block = f'\npromotion {{\n  from = "{before}"\n  variables = {{ image_tag = "image_tag" }}\n}}\n'
        path.write_text(path.read_text() + block)


def floor(project: Path) -> None:
    """Read every record of every environment once, as the commands do; nothing else."""
    from envman.config.project import load_project
    from envman.insight.load import WORKERS
    from envman.releases.ledger import Ledger
    from envman.releases.locate import store_for

    loaded = load_project(project)
    count = 0
    for name in loaded.environment_names():
        count += len(Ledger(store_for(loaded.environment(name)), name).records(workers=WORKERS))
    print(count)


def render_ms(index: Path) -> float | None:
    from tests.browser import browser, chromium_binary, visit

    binary = chromium_binary()
    if binary is None:
        return None
    with browser(binary) as tools:
        visit(tools, index.as_uri())  # warm-up: the browser's own first start
        return statistics.median(visit(tools, index.as_uri()).load_ms for _ in range(RUNS))


def _row(label: str, seconds: float, floor_s: float) -> str:
    ratio = seconds / floor_s
    return (
        f"| insight: `envman {label}`, 4 envs x {RELEASES} releases (S3) vs the floor | "
        f"{seconds:.2f} s vs {floor_s:.2f} s = {ratio:.2f}x | <= 3 s and <= 1.5x |"
    )


def bench_insight(envman: list[str], env: dict[str, str], project: Path, timed: Timer) -> list[str]:
    env = {**env, "ENVMAN_NOW": NOW}
    site = Path(tempfile.mkdtemp(prefix="envman-dashboard-"))
    commands = {
        "floor": [sys.executable, __file__, "--floor", str(project)],
        "metrics": [*envman, "metrics", "--json"],
        "report --html": [*envman, "report", "--html", str(site)],
    }
    for argv in commands.values():
        timed(argv, env)  # warm-up: the head objects, the page cache
    rounds = [{k: timed(argv, env) for k, argv in commands.items()} for _ in range(RUNS)]
    figures = {k: statistics.median(r[k] for r in rounds) for k in commands}
    rows = [
        f"| insight: the floor (read 4 x {RELEASES} records once, S3) | "
        f"{figures['floor']:.2f} s | - |",
        _row("metrics", figures["metrics"], figures["floor"]),
        _row("report --html", figures["report --html"], figures["floor"]),
    ]
    size = (site / "index.html").stat().st_size
    rows.append(
        f"| insight: dashboard index.html for that ledger | {size / 1e6:.3f} MB | <= 1 MB |"
    )
    shown = render_ms(site / "index.html")
    render = "chromium missing" if shown is None else f"{shown / 1000:.3f} s"
    rows.append(f"| insight: index.html rendered in headless Chromium | {render} | <= 1 s |")
    return rows


if __name__ == "__main__" and sys.argv[1:2] == ["--floor"]:
    floor(Path(sys.argv[2]))
