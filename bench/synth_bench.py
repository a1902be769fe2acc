"""Synthesis of a Python (CDK Terrain) stack: what a cache miss costs, what a hit costs.

Run alone (`python bench/synth_bench.py`) or from bench/run.py. Uses the test fixture
tests/fixtures/cdk_tiny (one stack: a variable, a terraform_data, three outputs).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURE = ROOT / "tests" / "fixtures" / "cdk_tiny"
MISSES = 3
HITS = 20


def available() -> str | None:
    """Why the benchmark cannot run here (None when it can)."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    if importlib.util.find_spec("cdktn") is None:
        return "cdktn is not installed (pip install -e '.[cdk]')"
    return None


def bench_synth(tmp: Path) -> list[str]:
    from envman.synth.select import StackChoice
    from envman.synth.synthesise import SynthTarget, synthesise

    why = available()
    if why is not None:
        return [f"| synthesis: skipped ({why}) | - | - |"]
    project = tmp / "cdk_tiny"
    shutil.copytree(FIXTURE, project)
    app = project / "app"
    choice = StackChoice(None, project / "environments" / "dev" / "environment.hcl")
    misses = []
    for n in range(MISSES):
        target = SynthTarget("dev", tmp / f"synth-{n}", "local", choice)
        started = time.perf_counter()
        synthesise(app, target)
        misses.append(time.perf_counter() - started)
    hits = []
    for _ in range(HITS):
        started = time.perf_counter()
        result = synthesise(app, target)
        hits.append(time.perf_counter() - started)
        assert result.cached
    hcl = tmp / "synth-basic"
    shutil.copytree(ROOT / "tests" / "fixtures" / "basic", hcl)
    cdk_s, hcl_s = validate_seconds(tmp, project), validate_seconds(tmp, hcl)
    miss, hit = statistics.median(misses), statistics.median(hits)
    return [
        f"| synthesis: one-stack Python app, cache miss (python + jsii/node) | {miss:.2f} s | (no target; ~2 s) |",
        f"| synthesis: cache hit (source digest, stack choice, backend override) | {hit * 1000:.1f} ms | <= 20 ms |",
        f"| synthesis: `envman validate dev`, CDK stack (cache warm) vs HCL stack | {cdk_s:.2f} s vs {hcl_s:.2f} s = {cdk_s / hcl_s:.2f} | <= 1.1 |",
    ]


def validate_seconds(tmp: Path, project: Path, runs: int = 5) -> float:
    """Median wall time of `envman validate dev` (a first run warms the caches)."""
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(tmp / "missing.tfrc")}
    argv = [sys.executable, "-m", "envman", "--project", str(project), "validate", "dev"]
    subprocess.run(argv, env=env, check=True, capture_output=True)
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="envman-bench-synth-") as folder:
        print("\n".join(bench_synth(Path(folder))))


if __name__ == "__main__":
    main()
