"""`make bench`: envman's speed and memory figures, printed and written to bench/results.md.

Figures, never asserts. Each benchmark states its target; misses are explained in results.md.
The AWS benchmarks use a moto server on loopback and the AWS provider from the mirror.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
RESULTS = ROOT / "bench" / "results.md"
ENVMAN = [sys.executable, "-m", "envman"]
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def timed(argv: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 2):
        raise SystemExit(f"bench: {' '.join(argv)} failed: {done.stderr.decode()[-400:]}")
    return elapsed


def median(
    argv: Sequence[str], env: dict[str, str], runs: int = RUNS, cwd: Path | None = None
) -> float:
    return statistics.median(timed(argv, env, cwd) for _ in range(runs))


def base_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(
        {
            "ENVMAN_PLUGIN_CACHE_DIR": str(tmp / "plugins"),
            "ENVMAN_ACTOR": "bench",
            "ENVMAN_PROVIDER_MIRROR": os.environ.get("ENVMAN_PROVIDER_MIRROR", "/opt/tf-plugins"),
            "TF_CLI_CONFIG_FILE": str(tmp / "missing.tfrc"),
            "CHECKPOINT_DISABLE": "1",
        }
    )
    return env


def bench_startup(tmp: Path) -> list[str]:
    project = tmp / "basic"
    shutil.copytree(ROOT / "tests" / "fixtures" / "basic", project)
    env = base_env(tmp)
    help_s = median([*ENVMAN, "--help"], env)
    list_s = median([*ENVMAN, "--project", str(project), "list"], env)
    return [
        f"| start-up: `envman --help` | {help_s:.2f} s | <= 0.35 s |",
        f"| start-up: `envman list` | {list_s:.2f} s | <= 0.35 s |",
    ]


def bench_scale(tmp: Path) -> list[str]:
    rows = []
    for count in (1000, 5000, 20000):
        path = tmp / f"plan-{count}.json"
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "genplan.py"), str(count), str(path)], check=True
        )
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "scale.py"), str(path)],
            capture_output=True,
            check=True,
            text=True,
        )
        figures = json.loads(out.stdout)
        size = path.stat().st_size
        rows.append(
            f"| scale: parse + summarise {count} resources ({size / 1e6:.1f} MB JSON) | "
            f"{figures['seconds']:.2f} s, peak RSS {figures['peak_rss_bytes'] / 1e6:.0f} MB "
            f"({figures['peak_rss_bytes'] / size:.1f}x JSON) | RSS <= 3x JSON at 20k |"
        )
    return rows


def aws_project(tmp: Path, url: str, envs: Sequence[str]) -> Path:
    import boto3

    project = tmp / "aws"
    shutil.copytree(ROOT / "tests" / "fixtures" / "aws_basic" / "stack", project / "stack")
    template = (
        ROOT / "tests" / "fixtures" / "aws_basic" / "environments" / "staging" / "environment.hcl"
    ).read_text()
    for name in envs:
        folder = project / "environments" / name
        folder.mkdir(parents=True)
        (folder / "environment.hcl").write_text(
            template.replace("@ENDPOINT@", url).replace(
                "staging/terraform.tfstate", f"{name}/terraform.tfstate"
            )
        )
        (folder / "terraform.tfvars").write_text(f'environment = "{name}"\n')
    boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket="envman-test-tfstate")
    return project


def bench_aws(tmp: Path) -> list[str]:
    from conftest_moto import start_moto_server

    url, stop = start_moto_server()
    try:
        envs = ["e1", "e2", "e3", "e4"]
        project = aws_project(tmp, url, envs)
        env = {**base_env(tmp), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
        for name in envs:
            subprocess.run(
                [*ENVMAN, "--project", str(project), "apply", name, "--yes"],
                env=env,
                check=True,
                capture_output=True,
            )
        envman_plan = median([*ENVMAN, "--project", str(project), "plan", "e1"], env)
        tf_env = {
            **env,
            "TF_DATA_DIR": str(project / ".envman" / "e1" / "terraform"),
            "TF_CLI_CONFIG_FILE": str(project / ".envman" / "terraformrc"),
            "AWS_ENDPOINT_URL": url,
            "AWS_REGION": "us-east-1",
            "TF_IN_AUTOMATION": "1",
        }
        var_files = [
            f"-var-file={project / 'environments' / 'e1' / 'terraform.tfvars'}",
            f"-var-file={project / '.envman' / 'e1' / 'inputs' / 'pinned.tfvars.json'}",
        ]
        raw_plan_argv = [
            "terraform",
            f"-chdir={project / 'stack'}",
            "plan",
            "-input=false",
            f"-out={tmp / 'raw.tfplan'}",
            *var_files,
        ]
        raw_plan = median(raw_plan_argv, tf_env)
        init_argv = [
            "terraform",
            f"-chdir={project / 'stack'}",
            "init",
            "-input=false",
            "-reconfigure",
            "-backend-config=bucket=envman-test-tfstate",
            "-backend-config=key=e1/terraform.tfstate",
            "-backend-config=region=us-east-1",
            "-backend-config=use_lockfile=true",
        ]
        cold = statistics.median(
            timed(init_argv, tf_env) + timed(raw_plan_argv, tf_env) for _ in range(3)
        )
        drift_s = median(
            [*ENVMAN, "--project", str(project), "drift", "--format", "json"], env, runs=3
        )
        sequential = []
        for _ in range(3):
            total = 0.0
            for name in envs:
                env_tf = {**tf_env, "TF_DATA_DIR": str(project / ".envman" / name / "terraform")}
                files = [f"-var-file={project / 'environments' / name / 'terraform.tfvars'}"]
                total += timed(
                    [
                        "terraform",
                        f"-chdir={project / 'stack'}",
                        "plan",
                        "-refresh-only",
                        "-input=false",
                        *files,
                    ],
                    env_tf,
                )
            sequential.append(total)
        seq = statistics.median(sequential)
    finally:
        stop()
    return [
        f"| overhead: warm `envman plan` vs raw `terraform plan` | {envman_plan:.2f} s vs {raw_plan:.2f} s = {envman_plan / raw_plan:.2f} | <= 1.05 |",
        f"| init cache: warm `envman plan` vs `terraform init && terraform plan` | {envman_plan:.2f} s vs {cold:.2f} s = {envman_plan / cold:.2f} | <= 0.75 |",
        f"| parallel drift: `envman drift` over 4 envs vs 4 sequential refresh-only plans | {drift_s:.2f} s vs {seq:.2f} s = {drift_s / seq:.2f} | <= 0.6 |",
    ]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="envman-bench-") as folder:
        tmp = Path(folder)
        rows = bench_startup(tmp) + bench_scale(tmp)
        if "--no-aws" not in sys.argv:
            rows += bench_aws(tmp)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"
    terraform = subprocess.run(
        ["terraform", "version"], capture_output=True, text=True
    ).stdout.splitlines()[0]
    table = "\n".join(["| benchmark | measured | target |", "|---|---|---|", *rows])
    print(table)
    RESULTS.write_text(
        f"# Benchmark results\n\nMachine: {machine}; {terraform}; medians of {RUNS} runs "
        f"(3 for drift and cold init).\nRegenerate with `make bench`.\n\n{table}\n"
    )


if __name__ == "__main__":
    main()
