"""`envman promote` on the split example platform vs on the single stack of before (issue 17,
docs/components.md; target: ratio <= 0.5).

Two throwaway projects on one moto server, each with environments `source` and `target` (the
repository's `local` settings, every environment in its own region):

- single: bench/platform_single_stack as the stack of both environments; the target promotes
  `backend_image_tag = "backend_image_tag"`;
- split: envman.hcl's five components; the target promotes
  `"app.backend_image_tag" = "app.backend_image_tag"`.

Both environments of both projects are applied once. Then, in alternated rounds, the source of
each project is applied with a new image tag (not timed) and `envman promote target --yes` is
timed on each. The single stack plans and applies the whole platform (65 resources refreshed);
the split plans and applies only `app` (monitoring consumes none of the outputs that change).

Run alone (`python bench/promote_bench.py`) or from bench/run.py.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from platforms import Env, Platform, single_stack_project, split_project

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("BENCH_RUNS", "5"))
ENVMAN = [sys.executable, "-m", "envman"]
Timer = Callable[[Sequence[str], dict[str, str]], float]

SINGLE_PROMOTION = """
promotion {
  from      = "source"
  variables = { backend_image_tag = "backend_image_tag" }
}
"""
SPLIT_PROMOTION = """
promotion {
  from      = "source"
  variables = { "app.backend_image_tag" = "app.backend_image_tag" }
}
"""


class Project:
    """One throwaway platform project: how to apply its source with a tag, how to promote."""

    def __init__(self, path: Path, tag_variable: str, env: dict[str, str]) -> None:
        self.path, self.tag_variable, self.env = path, tag_variable, env
        self.envman = [*ENVMAN, "--project", str(path)]

    def run(self, *args: str) -> None:
        started = time.perf_counter()
        done = subprocess.run([*self.envman, *args], env=self.env, capture_output=True)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).decode()[-1500:]
            raise SystemExit(f"bench: envman {' '.join(args)} in {self.path} failed:\n{tail}")
        took = time.perf_counter() - started
        print(f"  {self.path.name}: envman {' '.join(args)} ({took:.1f} s)", file=sys.stderr)

    def build(self) -> None:
        for name in ("source", "target"):
            self.run("bootstrap", name)
            self.run("apply", name, "--yes")

    def release_source(self, tag: str) -> None:
        self.run("apply", "source", "--yes", "--set", f"{self.tag_variable}={tag}")

    def promote_argv(self) -> list[str]:
        return [*self.envman, "promote", "target", "--yes"]


def projects(tmp: Path, url: str, env: dict[str, str]) -> tuple[Project, Project]:
    # distinct buckets, resource name prefixes and regions: the two projects never meet
    single_platform = Platform(ROOT, url, "bench-single-tfstate", "bench-single")
    split_platform = Platform(ROOT, url, "bench-split-tfstate", "bench-split")
    single = single_stack_project(
        single_platform,
        tmp / "promote-single",
        (Env("source", "us-east-2"), Env("target", "us-west-2", SINGLE_PROMOTION)),
    )
    split = split_project(
        split_platform,
        tmp / "promote-split",
        (Env("source", "eu-west-1"), Env("target", "eu-central-1", SPLIT_PROMOTION)),
    )
    return (
        Project(single, "backend_image_tag", env),
        Project(split, "app.backend_image_tag", env),
    )


def rounds(single: Project, split: Project, timed: Timer) -> tuple[list[float], list[float]]:
    """ROUNDS rounds of (new tag in both sources, promote timed on each), order alternated."""
    times: dict[str, list[float]] = {"single": [], "split": []}
    for number in range(ROUNDS):
        tag = f"1.{number + 1}.0"
        single.release_source(tag)
        split.release_source(tag)
        order = [("single", single), ("split", split)]
        for label, project in order if number % 2 == 0 else reversed(order):
            times[label].append(timed(project.promote_argv(), project.env))
    return times["split"], times["single"]


def bench_promote(url: str, tmp: Path, env: dict[str, str], timed: Timer) -> list[str]:
    single, split = projects(tmp, url, env)
    single.build()
    split.build()
    split_times, single_times = rounds(single, split, timed)
    split_s, single_s = statistics.median(split_times), statistics.median(single_times)
    return [
        "| components: `envman promote` of a new image tag, split platform (plans `app`) vs "
        f"the single stack (plans everything) | {split_s:.2f} s vs {single_s:.2f} s = "
        f"{split_s / single_s:.2f} | <= 0.5 |"
    ]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from run import base_env, timed

    from tests.moto_server import start_moto_server

    url, stop = start_moto_server()
    try:
        with tempfile.TemporaryDirectory(prefix="envman-bench-") as folder:
            tmp = Path(folder)
            env = {**base_env(tmp), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
            started = time.perf_counter()
            print("\n".join(bench_promote(url, tmp, env, timed)))
            print(f"(whole benchmark: {time.perf_counter() - started:.0f} s)")
    finally:
        stop()


if __name__ == "__main__":
    main()
