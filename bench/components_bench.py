"""A first build of a component graph with two independent branches, in parallel vs one
component after another (docs/components.md; target: ratio <= 0.65 on 2 cores).

Run alone (`python bench/components_bench.py`) or from bench/run.py. Uses the test fixture
tests/fixtures/components: network -> data -> app, and edge -> app; network and edge sleep
2 s while applying (a stand-in for slow cloud resources).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "components"
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def first_build(tmp: Path, parallel: int, run: int) -> float:
    project = tmp / f"components-{parallel}-{run}"
    shutil.copytree(FIXTURE, project)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update({"ENVMAN_ACTOR": "bench", "TF_CLI_CONFIG_FILE": str(tmp / "missing.tfrc")})
    argv = [sys.executable, "-m", "envman", "--project", str(project), "apply", "dev", "--yes"]
    argv += ["--set", "sleep=2", "--parallel", str(parallel)]
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed: {done.stderr.decode()[-400:]}")
    return elapsed


def bench_components(tmp: Path) -> list[str]:
    parallel = statistics.median(first_build(tmp, 2, r) for r in range(RUNS))
    sequential = statistics.median(first_build(tmp, 1, r) for r in range(RUNS))
    ratio = parallel / sequential
    return [
        "| components: first build of a graph with two independent branches, `--parallel 2` "
        f"vs `--parallel 1` | {parallel:.2f} s vs {sequential:.2f} s = {ratio:.2f} | <= 0.65 |"
    ]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="envman-bench-") as folder:
        print("\n".join(bench_components(Path(folder))))
