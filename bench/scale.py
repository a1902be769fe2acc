"""Parse and summarise one synthetic plan; prints seconds and peak RSS (run in a fresh process)."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from envman.terraform.models import Plan


def main() -> None:
    path = Path(sys.argv[1])
    started = time.perf_counter()
    plan = Plan.from_json(json.loads(path.read_bytes()))
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
            }
        )
    )


if __name__ == "__main__":
    main()
