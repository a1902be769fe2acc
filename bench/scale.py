"""Read and summarise one `show -json` plan as envman does; prints seconds and peak RSS.

Run in a fresh process per measurement: ``scale.py PLAN.json drift|summary``. ``drift`` is
what drift does (values kept for drifted resources, and for their planned changes);
``summary`` keeps addresses and actions only.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from envman.terraform.plan_reader import read_plan


def main() -> None:
    path = Path(sys.argv[1])
    drift = sys.argv[2] == "drift"
    started = time.perf_counter()
    with path.open("rb") as stream:
        plan = read_plan(stream, keep_values=drift, changes_of_drifted_only=drift)
    summary = plan.summary()
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "peak_rss_bytes": peak_kib * 1024,
                "add": summary.add,
                "change": summary.change,
                "destroy": summary.destroy,
            }
        )
    )


if __name__ == "__main__":
    main()
