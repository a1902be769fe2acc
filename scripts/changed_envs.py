#!/usr/bin/env python3
"""Print the environments a change touches (space-separated), for the plan-pr workflow.

    changed_envs.py --base origin/main          # files from `git diff --name-only BASE...HEAD`
    changed_envs.py --files a.tf environments/dev/terraform.tfvars

A file under environments/<env>/ touches that environment; a change to shared code (the stack,
modules, policies, envman.hcl) touches every environment. Other files touch none.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

SHARED = ("terraform/", "modules/", "policies/", "envman.hcl")


def environments(root: Path) -> list[str]:
    base = root / "environments"
    return sorted(p.name for p in base.iterdir() if (p / "environment.hcl").is_file())


def touched(files: Iterable[str], known: list[str]) -> list[str]:
    found: set[str] = set()
    for name in files:
        if name.startswith(SHARED):
            return known
        parts = name.split("/")
        if len(parts) > 2 and parts[0] == "environments" and parts[1] in known:
            found.add(parts[1])
    return [env for env in known if env in found]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="git ref to compare HEAD with (merge base)")
    parser.add_argument("--files", nargs="*", help="changed files (instead of --base)")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--exclude", nargs="*", default=[], help="environments never listed")
    args = parser.parse_args(argv)
    if args.files is not None:
        files = args.files
    elif args.base:
        done = subprocess.run(
            ["git", "diff", "--name-only", f"{args.base}...HEAD"],
            cwd=args.root,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"changed_envs: git diff failed: {done.stderr.strip()}", file=sys.stderr)
            return 1
        files = done.stdout.splitlines()
    else:
        parser.error("give --base REF or --files")
    known = [e for e in environments(args.root) if e not in args.exclude]
    print(" ".join(touched(files, known)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
