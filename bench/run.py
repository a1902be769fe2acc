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
sys.path.insert(0, str(ROOT))  # bench/ is run as a script; the tests' helpers live at the root
sys.path.insert(0, str(ROOT / "bench"))
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
        f"| start-up: `envman --help` | {help_s:.2f} s | <= 0.15 s |",
        f"| start-up: `envman list` | {list_s:.2f} s | <= 0.25 s |",
    ]


def scale_row(label: str, path: Path, mode: str) -> tuple[str, dict[str, float]]:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scale.py"), str(path), mode],
        capture_output=True,
        check=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(out.stdout)
    size = path.stat().st_size
    what = "drift's read (values of drifted resources kept)" if mode == "drift" else "summary"
    row = (
        f"| scale: {what}, {label} ({size / 1e6:.1f} MB JSON) | "
        f"{figures['seconds']:.2f} s, peak RSS {figures['peak_rss_bytes'] / 1e6:.0f} MB "
        f"({figures['peak_rss_bytes'] / size:.1f}x JSON) | RSS <= 3x JSON at 20k |"
    )
    return row, figures


def bench_scale(tmp: Path) -> list[str]:
    rows = []
    for count in (1000, 5000, 20000):
        path = tmp / f"plan-{count}.json"
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "genplan.py"), str(count), str(path)], check=True
        )
        for mode in ("summary", "drift"):
            rows.append(scale_row(f"{count} synthetic resources", path, mode)[0])
    return rows + bench_real_plan(tmp, 20000)


REAL_STACK = """
resource "terraform_data" "r" {
  count = %d
  input = {
    name = "res-${count.index}"
    size = count.index %% 7
    tags = { n = tostring(count.index), team = "platform" }
  }
}
"""


def bench_real_plan(tmp: Path, count: int) -> list[str]:
    """A real plan of COUNT resources (terraform_data: no provider needed): `show -json` time
    against envman's read of its output."""
    stack = tmp / "real"
    stack.mkdir()
    (stack / "main.tf").write_text(REAL_STACK % count)
    env = {**base_env(tmp), "TF_CLI_CONFIG_FILE": str(tmp / "empty.tfrc")}
    (tmp / "empty.tfrc").write_text("")
    for argv in (["init", "-input=false"], ["plan", "-input=false", "-out=real.tfplan"]):
        subprocess.run(["terraform", *argv], cwd=stack, env=env, check=True, capture_output=True)
    shown = stack / "real.json"
    durations = []
    for _ in range(2):
        started = time.perf_counter()
        with shown.open("wb") as out:
            subprocess.run(
                ["terraform", "show", "-json", "real.tfplan"],
                cwd=stack,
                env=env,
                check=True,
                stdout=out,
            )
        durations.append(time.perf_counter() - started)
    show_s = statistics.median(durations)
    rows = []
    for mode in ("summary", "drift"):
        row, figures = scale_row(f"real terraform plan of {count}", shown, mode)
        rows.append(row)
        label = "summary" if mode == "summary" else "drift's read"
        rows.append(
            f"| scale: {label} time vs `terraform show -json` "
            f"of that plan | {figures['seconds']:.2f} s vs {show_s:.2f} s = "
            f"{figures['seconds'] / show_s:.0%} | <= 10% |"
        )
    return rows


def aws_project(tmp: Path, url: str, envs: Sequence[str], folder: str = "aws") -> Path:
    import boto3

    project = tmp / folder
    shutil.copytree(ROOT / "bench" / "stack", project / "stack")
    template = (
        ROOT / "tests" / "fixtures" / "aws_basic" / "environments" / "staging" / "environment.hcl"
    ).read_text()
    for name in envs:
        env_dir = project / "environments" / name
        env_dir.mkdir(parents=True)
        (env_dir / "environment.hcl").write_text(
            template.replace("@ENDPOINT@", url).replace(
                "staging/terraform.tfstate", f"{name}/terraform.tfstate"
            )
        )
        (env_dir / "terraform.tfvars").write_text(f'environment = "{name}"\n')
    boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket="envman-test-tfstate")
    return project


GO_DEFAULTS = {"GOGC": "100", "GOMEMLIMIT": "off"}  # Go's own defaults, what other tools run


def bench_aws(tmp: Path) -> list[str]:
    import boto3
    from overhead_bench import bench_small

    from envman.terraform.runner import GO_RUNTIME_DEFAULTS
    from tests.moto_server import start_moto_server

    url, stop = start_moto_server()
    try:
        envs = ["e1", "e2", "e3", "e4"]
        project = aws_project(tmp, url, envs)
        env = {**base_env(tmp), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
        for key in GO_RUNTIME_DEFAULTS:
            env.pop(key, None)
        envman = [*ENVMAN, "--project", str(project)]
        for name in envs:
            subprocess.run(
                [*envman, "apply", name, "--yes"], env=env, check=True, capture_output=True
            )
        envman_plan = median([*envman, "plan", "e1"], env)
        overhead_small = bench_small(project, tmp, url, env, timed)
        tf_env = {
            **env,
            "TF_DATA_DIR": str(project / ".envman" / "envs" / "e1" / "terraform"),
            "TF_CLI_CONFIG_FILE": str(project / ".envman" / "terraformrc"),
            "AWS_ENDPOINT_URL": url,
            "AWS_REGION": "us-east-1",
            "TF_IN_AUTOMATION": "1",
        }
        as_envman_runs_it = {**tf_env, **GO_RUNTIME_DEFAULTS}
        go_defaults = {**tf_env, **GO_DEFAULTS}
        inputs = tmp / "raw-inputs"  # the same layers envman writes into a run's folder
        inputs.mkdir(exist_ok=True)
        for name in ("pinned.tfvars.json", "set.tfvars.json"):
            (inputs / name).write_text("{}\n")  # e1 has no pins and no --set
        raw_plan_argv = [
            "terraform",
            f"-chdir={project / 'stack'}",
            "plan",
            "-json",
            "-input=false",
            "-lock-timeout=0s",
            f"-out={tmp / 'raw.tfplan'}",
            f"-var-file={project / 'environments' / 'e1' / 'terraform.tfvars'}",
            f"-var-file={inputs / 'pinned.tfvars.json'}",
            f"-var-file={inputs / 'set.tfvars.json'}",
        ]
        raw_plan = median(raw_plan_argv, as_envman_runs_it)
        raw_plan_go_defaults = median(raw_plan_argv, go_defaults)
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

        def cold(go_env: dict[str, str]) -> float:
            return statistics.median(
                timed(init_argv, go_env) + timed(raw_plan_argv, go_env) for _ in range(3)
            )

        cold_go_defaults, cold_tuned = cold(go_defaults), cold(as_envman_runs_it)

        def sequential(go_env: dict[str, str]) -> float:
            totals = []
            for _ in range(3):
                total = 0.0
                for name in envs:
                    total += timed(
                        [
                            "terraform",
                            f"-chdir={project / 'stack'}",
                            "plan",
                            "-refresh-only",
                            "-input=false",
                            f"-var-file={project / 'environments' / name / 'terraform.tfvars'}",
                        ],
                        {
                            **go_env,
                            "TF_DATA_DIR": str(project / ".envman" / "envs" / name / "terraform"),
                        },
                    )
                totals.append(total)
            return statistics.median(totals)

        seq_go_defaults, seq_tuned = sequential(go_defaults), sequential(as_envman_runs_it)
        drift_argv = [*envman, "drift", "--format", "json"]
        drift_in_sync = median(drift_argv, env, runs=3)
        s3 = boto3.client(
            "s3",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        for name in envs:  # drift in every environment: each needs its show -json
            s3.put_bucket_tagging(
                Bucket=f"envman-{name}-assets",
                Tagging={"TagSet": [{"Key": "environment", "Value": "changed-by-hand"}]},
            )
        drift_drifted = median(drift_argv, env, runs=3)
    finally:
        stop()
    return [
        overhead_small,
        f"| Go GC setting envman gives terraform: raw plan with Go defaults vs GOGC=400 | {raw_plan_go_defaults:.2f} s vs {raw_plan:.2f} s = {raw_plan / raw_plan_go_defaults:.2f} | (no target) |",
        f"| init cache: warm `envman plan` vs `terraform init && terraform plan` (Go defaults) | {envman_plan:.2f} s vs {cold_go_defaults:.2f} s = {envman_plan / cold_go_defaults:.2f} | <= 0.75 |",
        f"| init cache, both with GOGC=400 | {envman_plan:.2f} s vs {cold_tuned:.2f} s = {envman_plan / cold_tuned:.2f} | <= 0.75 |",
        f"| parallel drift: `envman drift`, 4 envs in sync, vs 4 sequential refresh-only plans (Go defaults) | {drift_in_sync:.2f} s vs {seq_go_defaults:.2f} s = {drift_in_sync / seq_go_defaults:.2f} | <= 0.6 |",
        f"| parallel drift, in sync, both with GOGC=400 | {drift_in_sync:.2f} s vs {seq_tuned:.2f} s = {drift_in_sync / seq_tuned:.2f} | <= 0.6 |",
        f"| parallel drift: 4 envs all drifted (a show -json each) vs the same sequential plans (Go defaults) | {drift_drifted:.2f} s vs {seq_go_defaults:.2f} s = {drift_drifted / seq_go_defaults:.2f} | <= 0.6 |",
    ]


def bench_platform_aws(tmp: Path) -> list[str]:
    from overhead_bench import bench_platform

    from tests.moto_server import start_moto_server

    url, stop = start_moto_server()
    try:
        env = {**base_env(tmp), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
        return [bench_platform(ROOT, tmp, url, env, timed)]
    finally:
        stop()


def bench_promote_aws(tmp: Path) -> list[str]:
    from promote_bench import bench_promote

    from tests.moto_server import start_moto_server

    url, stop = start_moto_server()
    try:
        env = {**base_env(tmp), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
        return bench_promote(url, tmp, env, timed)
    finally:
        stop()


def bench_ledger_aws(tmp: Path) -> list[str]:
    import boto3
    from ledger_bench import bench_ledger, environment_names

    from tests.moto_server import start_moto_server

    url, stop = start_moto_server()
    try:
        project = aws_project(tmp, url, environment_names(), folder="ledger")
        env = {**base_env(tmp), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
        s3 = boto3.client(
            "s3",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        return bench_ledger([*ENVMAN, "--project", str(project)], env, s3, timed)
    finally:
        stop()


def bench_insight_aws(tmp: Path) -> list[str]:
    import boto3
    from insight_bench import CHAIN, add_promotions, bench_insight, fill

    from tests.moto_server import start_moto_server

    url, stop = start_moto_server()
    try:
        project = aws_project(tmp, url, CHAIN, folder="insight")
        add_promotions(project)
        env = {**base_env(tmp), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
        s3 = boto3.client(
            "s3",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        fill(s3)
        return bench_insight([*ENVMAN, "--project", str(project)], env, project, timed)
    finally:
        stop()


BEGIN, END = "<!-- figures: written by bench/run.py -->", "<!-- end of figures -->"


def bench_synth(tmp: Path) -> list[str]:
    sys.path.insert(0, str(ROOT / "bench"))
    from synth_bench import bench_synth as synth_rows

    return synth_rows(tmp)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="envman-bench-") as folder:
        tmp = Path(folder)
        rows = bench_startup(tmp) + bench_scale(tmp)
        rows += bench_synth(tmp)
        from components_bench import bench_components

        rows += bench_components(tmp)
        if "--no-aws" not in sys.argv:
            rows += bench_aws(tmp)
            rows += bench_ledger_aws(tmp)
            rows += bench_insight_aws(tmp)
            rows += bench_platform_aws(tmp)
            rows += bench_promote_aws(tmp)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"
    terraform = subprocess.run(
        ["terraform", "version"], capture_output=True, text=True
    ).stdout.splitlines()[0]
    table = "\n".join(["| benchmark | measured | target |", "|---|---|---|", *rows])
    print(table)
    figures = (
        f"{BEGIN}\nMachine: {machine}; {terraform}; AWS provider 5.100.0 on moto (loopback); "
        f"medians of {RUNS} runs (3 for cold init and drift).\n\n{table}\n{END}"
    )
    text = RESULTS.read_text() if RESULTS.exists() else f"# Benchmark results\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + figures + text[text.index(END) + len(END) :]
    else:
        text = f"{text.rstrip()}\n\n{figures}\n"
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
