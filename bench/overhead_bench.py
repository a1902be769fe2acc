"""Overhead benchmark: a warm `envman plan` against the raw `terraform plan` it runs.

Measured side by side in alternated runs (envman, raw, envman, raw, ...), medians, on two
stacks on the emulator: the example platform as one stack (bench/platform_single_stack, 65
resources, environment `local`; the split platform's components are not one plan) and
the 3-resource AWS stack of bench/stack. The raw plan gets exactly envman's inputs (the same
var files, data dir, CLI config and AWS settings) and Go's default GC settings (what users
run). Figures, never asserts. Targets: <= 1.05 on the platform, <= 1.10 on 3 resources.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from platforms import SINGLE_STACK, Env, Platform, single_stack_project

Timer = Callable[[Sequence[str], dict[str, str]], float]
GO_DEFAULTS = {"GOGC": "100", "GOMEMLIMIT": "off"}
RUNS = 5
ENVMAN_CMD = [sys.executable, "-m", "envman"]


def alternated(
    first: tuple[list[str], dict[str, str]], second: tuple[list[str], dict[str, str]], timed: Timer
) -> tuple[float, float]:
    """Medians of RUNS rounds of (first, second), run in turn so load hits both alike."""
    pairs = [(timed(*first), timed(*second)) for _ in range(RUNS)]
    return statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs)


def raw_plan(project: Path, stack: Path, name: str, tmp: Path) -> list[str]:
    """terraform plan as envman runs it for ``name`` (its var files; no pins, no --set)."""
    inputs = tmp / f"raw-inputs-{name}"
    inputs.mkdir(exist_ok=True)
    for file in ("pinned.tfvars.json", "set.tfvars.json"):
        (inputs / file).write_text("{}\n")
    var_files = sorted((project / "environments" / name).glob("*.tfvars"))
    return [
        "terraform",
        f"-chdir={stack}",
        "plan",
        "-json",
        "-input=false",
        "-lock-timeout=0s",
        f"-out={tmp / f'raw-{name}.tfplan'}",
        *(f"-var-file={f}" for f in var_files),
        f"-var-file={inputs / 'pinned.tfvars.json'}",
        f"-var-file={inputs / 'set.tfvars.json'}",
    ]


def raw_env(env: dict[str, str], project: Path, name: str, url: str) -> dict[str, str]:
    return {
        **env,
        **GO_DEFAULTS,
        "TF_DATA_DIR": str(project / ".envman" / "envs" / name / "terraform"),
        "TF_CLI_CONFIG_FILE": str(project / ".envman" / "terraformrc"),
        "AWS_ENDPOINT_URL": url,
        "AWS_REGION": "us-east-1",
        "TF_IN_AUTOMATION": "1",
    }


def overhead_row(label: str, target: str, figures: tuple[float, float]) -> str:
    ours, raw = figures
    return (
        f"| overhead: warm `envman plan` vs raw `terraform plan` (Go defaults), {label} | "
        f"{ours:.2f} s vs {raw:.2f} s = {ours / raw:.2f} | {target} |"
    )


def platform_project(repo: Path, tmp: Path, url: str) -> Path:
    """The example platform as one stack (bench/platform_single_stack), environment `local`."""
    return single_stack_project(Platform(repo, url), tmp / "platform", (Env("local"),))


def bench_platform(repo: Path, tmp: Path, url: str, env: dict[str, str], timed: Timer) -> str:
    project = platform_project(repo, tmp, url)
    envman = [*ENVMAN_CMD, "--project", str(project)]
    for argv in (["bootstrap", "local"], ["apply", "local", "--yes"]):
        subprocess.run([*envman, *argv], env=env, check=True, capture_output=True)
    raw = raw_plan(project, project / SINGLE_STACK, "local", tmp)
    figures = alternated(
        ([*envman, "plan", "local"], env), (raw, raw_env(env, project, "local", url)), timed
    )
    return overhead_row("example platform as one stack (65 resources)", "<= 1.05", figures)


def bench_small(project: Path, tmp: Path, url: str, env: dict[str, str], timed: Timer) -> str:
    envman = [*ENVMAN_CMD, "--project", str(project)]
    raw = raw_plan(project, project / "stack", "e1", tmp)
    figures = alternated(
        ([*envman, "plan", "e1"], env), (raw, raw_env(env, project, "e1", url)), timed
    )
    return overhead_row("3-resource AWS stack", "<= 1.10", figures)
