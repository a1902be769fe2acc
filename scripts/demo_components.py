"""`make demo`, part two: components (DESIGN section 10) on tiny local stacks.

A throwaway project under .envman/demo/components/ with the four stacks of the components test
fixture (network -> data -> app, edge -> app; local state, terraform_data only, so it runs in
seconds): the graph, a first build where independent components apply at once and downstreams
are planned only after their upstreams applied, a promotion that plans only `app`, and a
rollback. Each step says in one line what it shows.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / ".envman" / "demo" / "components"


def envman(*args: str, expect: tuple[int, ...] = (0,)) -> str:
    env = {**os.environ, "ENVMAN_ACTOR": "demo"}
    env.pop("ENVMAN_NOW", None)
    print(f"  $ envman {' '.join(args)}", flush=True)
    argv = [sys.executable, "-m", "envman", "--project", str(PROJECT), *args]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    if done.returncode not in expect:
        raise SystemExit(f"demo: `envman {' '.join(args)}` exited {done.returncode}")
    return done.stdout


def step(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def main() -> None:
    if PROJECT.exists():
        shutil.rmtree(PROJECT)
    shutil.copytree(ROOT / "tests" / "fixtures" / "components", PROJECT)
    step("Components: four stacks per environment, wired by outputs (envman.hcl)")
    envman("graph", "dev")
    envman("graph", "dev", "--format", "mermaid")
    step("Validate: the graph (cycles, unknown components, undeclared outputs) and every input")
    envman("validate")
    step("First plan: downstreams wait for their upstreams' real outputs, never mock values")
    envman("plan", "dev")
    step("First build: network and edge (2 s each) apply at once, the rest in graph order")
    envman("apply", "dev", "--yes", "--set", "sleep=2")
    history = json.loads(envman("history", "dev", "--json", "--limit", "1"))
    for name, entry in history[0]["components"].items():
        print(f"     {name:8} {entry['started_at'][11:23]} → {entry['finished_at'][11:23]}")
    step("Ship image v2 to dev (only app changes), then build staging")
    envman("apply", "dev", "--yes", "--set", "app.image_tag=v2")
    envman("apply", "staging", "--yes")
    step("Promote dev → staging: only app is planned and applied")
    envman("promote", "staging", "--yes")
    step("Roll staging back: the components whose inputs changed, in graph order")
    envman("rollback", "staging", "--yes")
    step("History and status, per component")
    envman("history", "staging")
    envman("status")


if __name__ == "__main__":
    main()
