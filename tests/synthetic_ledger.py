"""The synthetic ledger of the metrics golden test and the dashboard's browser test: JSON
files written where a local backend keeps its ledger (tests/unit/test_metrics_golden.py tells
what each record is and the figures computed by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

NOW = "2026-12-01T00:00:00Z"


def record(
    env: str, seq: int, kind: str, status: str, times: tuple[str, str], **extra: Any
) -> dict[str, Any]:
    started, finished = times
    return {
        "schema": 1,
        "environment": env,
        "seq": seq,
        "kind": kind,
        "status": status,
        "inputs": {"image_tag": f"v{seq}"},
        "started_at": f"2026-{started}:00Z",
        "finished_at": f"2026-{finished}:00Z",
        "actor": "tester",
        "git": {"commit": f"{seq:040x}", "dirty": False},
        **extra,
    }


def promoted(
    env: str, seq: int, status: str, times: tuple[str, str], source: int
) -> dict[str, Any]:
    found = record(
        env, seq, "promote", status, times, source={"environment": "staging", "seq": source}
    )
    return {**found, "inputs": {"image_tag": f"v{source}"}}


PRODUCTION = [
    promoted("production", 1, "verified", ("11-03T10:00", "11-03T10:10"), 1),
    promoted("production", 2, "verify_failed", ("11-10T10:00", "11-10T10:10"), 2),
    record(
        "production",
        3,
        "rollback",
        "verified",
        ("11-10T10:11", "11-10T10:20"),
        inputs={"image_tag": "v1"},  # what it went back to
        rollback_of=2,
        target_seq=1,
    ),
    promoted("production", 4, "rolled_back", ("11-17T10:00", "11-17T10:10"), 3),
    record(
        "production",
        5,
        "rollback",
        "verified",
        ("11-17T12:00", "11-17T12:10"),
        inputs={"image_tag": "v1"},  # what it went back to
        rollback_of=4,
        target_seq=3,
    ),
    promoted("production", 6, "verified", ("11-21T09:00", "11-21T09:10"), 4),
    record(
        "production",
        7,
        "apply",
        "verified",
        ("11-21T15:00", "11-21T15:10"),
        promotion_bypass=["--set/--unpin of promoted image_tag"],
    ),
    record(
        "production",
        8,
        "apply",
        "verified",
        ("10-01T00:00", "10-01T00:05"),
        clock_override={"now": "2026-10-01T00:00:00Z", "real": "2026-11-25T08:00:00Z"},
    ),
    record(
        "production",
        9,
        "apply",
        "failed",
        ("11-28T10:00", "11-28T10:03"),
        error="terraform apply failed",
    ),
    record("production", 10, "apply", "interrupted", ("11-29T10:00", "11-29T10:01")),
]
STAGING = [
    record("staging", n, "apply", "verified", (f"11-{d}T10:00", f"11-{d}T10:05"))
    for n, d in ((1, "02"), (2, "09"), (3, "16"), (4, "20"))
]
DEV = [  # applied before the window, destroyed inside it
    record("dev", 1, "apply", "verified", ("10-15T10:00", "10-15T10:05")),
    record("dev", 2, "destroy", "applied", ("11-05T10:00", "11-05T10:05")),
]


def write(project: Path, env: str, records: list[dict[str, Any]]) -> Path:
    folder = project / "state" / f"{env}.tfstate.releases"
    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        (folder / f"{record['seq']:08d}.json").write_text(json.dumps(record, indent=2))
    return folder


def audit(folder: Path, count: int) -> None:
    (folder / "audit").mkdir(exist_ok=True)
    for n in range(count):
        entry = {
            "schema": 1,
            "type": "audit",
            "kind": "tf",
            "seq": None,
            "id": f"2026112{n}T000000.000000Z-0000000{n}",
            "environment": "production",
            "command": ["state", "rm", "x"],
            "status": "succeeded",
            "exit_code": 0,
            "started_at": f"2026-11-2{n}T00:00:00Z",
            "finished_at": f"2026-11-2{n}T00:00:01Z",
        }
        (folder / "audit" / f"{entry['id']}.json").write_text(json.dumps(entry))
