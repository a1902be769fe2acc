"""Ledger benchmark: plan, status and `history --limit 10` with 1, 100 and 3,000 releases.

One S3-backed environment per history length on a moto server; the long histories are
written as copies of the environment's real first record (as a year of deploys would leave
them), without the head object, so the first envman run also pays the head's rebuild (the
warm-up run, not measured). Figures, never asserts. Target: each command with 3,000 releases
within 1.15x of the same command with one release.
"""

from __future__ import annotations

import json
import statistics
import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

HISTORIES = (1, 100, 3000)
PREFIX = "{env}/terraform.tfstate.releases/"
BUCKET = "envman-test-tfstate"

Timer = Callable[[Sequence[str], dict[str, str]], float]
RUNS = 5


def fill_history(s3: Any, env: str, count: int) -> None:
    """Records 2..count as copies of record 1 (already written by a real apply)."""
    prefix = PREFIX.format(env=env)
    first = json.loads(s3.get_object(Bucket=BUCKET, Key=f"{prefix}00000001.json")["Body"].read())

    def put(seq: int) -> None:
        doc = {**first, "seq": seq, "inputs": {"image_tag": f"v{seq}"}}
        body = json.dumps(doc).encode()
        s3.put_object(Bucket=BUCKET, Key=f"{prefix}{seq:08d}.json", Body=body)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, range(2, count + 1)))


def environment_names() -> list[str]:
    return [f"h{count}" for count in HISTORIES]


def alternated(argvs: list[list[str]], env: dict[str, str], timed: Timer) -> list[float]:
    """Medians of RUNS rounds, each round running every command once, in turn."""
    rounds = [[timed(argv, env) for argv in argvs] for _ in range(RUNS)]
    return [statistics.median(column) for column in zip(*rounds, strict=True)]


def bench_ledger(envman: list[str], env: dict[str, str], s3: Any, timed: Timer) -> list[str]:
    names = environment_names()
    for name, count in zip(names, HISTORIES, strict=True):
        subprocess.run([*envman, "apply", name, "--yes"], env=env, check=True, capture_output=True)
        fill_history(s3, name, count)
        subprocess.run([*envman, "status", name], env=env, check=True, capture_output=True)
    rows: list[str] = []
    commands = {
        "plan": ["plan"],
        "status": ["status"],
        "history --limit 10": ["history", "--limit", "10"],
    }
    for label, argv in commands.items():
        argvs = [[*envman, *argv[:1], n, *argv[1:]] for n in names]
        figures = dict(zip(names, alternated(argvs, env, timed), strict=True))
        base = figures[names[0]]
        for name, count in zip(names[1:], HISTORIES[1:], strict=True):
            ratio = figures[name] / base
            rows.append(
                f"| ledger: `envman {label}` with {count} releases vs 1 | "
                f"{figures[name]:.2f} s vs {base:.2f} s = {ratio:.2f} | <= 1.15 |"
            )
    return rows
