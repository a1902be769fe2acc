#!/usr/bin/env python3
"""Print the environments a change touches, for the plan-pr workflow.

    changed_envs.py --base origin/main          # files from `git diff --name-only BASE...HEAD`
    changed_envs.py --files terraform/app/main.tf environments/dev/app.tfvars
    changed_envs.py --base origin/main --json   # [{"env": "dev", "scope": "changed"}, ...]

The example platform is components (envman.hcl): stacks under terraform/<component>/ calling
modules/. What a file touches, and how much of an environment then needs a plan (its scope):

- terraform/**, modules/**: every environment; scope "changed" (`envman plan ENV --changed
  REF` finds the components whose stack or local modules changed, and their dependents);
- environments/<env>/*.tfvars (terraform.tfvars, <component>.tfvars): that environment;
  scope "changed" (envman finds the components that read the file);
- environments/<env>/ anything else (environment.hcl: backend, guard, hooks), envman.hcl (the
  graph), policies/**: scope "all" (every component planned: `--changed` looks at stack code
  and inputs only, so a new policy or guard rule would otherwise judge no plan at all).

Other files touch nothing. Without --json the environments are printed space-separated.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

CODE = ("terraform/", "modules/")  # the components' stacks and the modules they call
CONFIG = ("policies/", "envman.hcl")  # judged or wired outside the stacks: plan everything
CHANGED, ALL = "changed", "all"


def environments(root: Path) -> list[str]:
    base = root / "environments"
    return sorted(p.name for p in base.iterdir() if (p / "environment.hcl").is_file())


def _scope_of(name: str, known: list[str]) -> tuple[list[str], str] | None:
    """The environments one changed file touches and the scope it needs (None: nothing)."""
    if name.startswith(CONFIG):
        return known, ALL
    if name.startswith(CODE):
        return known, CHANGED
    parts = name.split("/")
    if len(parts) > 2 and parts[0] == "environments" and parts[1] in known:
        inputs = len(parts) == 3 and parts[2].endswith((".tfvars", ".tfvars.json"))
        return [parts[1]], CHANGED if inputs else ALL
    return None


def scopes(files: Iterable[str], known: list[str]) -> dict[str, str]:
    """Touched environment -> "changed" or "all" ("all" wins), in the order of ``known``."""
    found: dict[str, str] = {}
    for name in files:
        hit = _scope_of(name, known)
        if hit is None:
            continue
        envs, scope = hit
        for env in envs:
            found[env] = ALL if ALL in (scope, found.get(env)) else CHANGED
    return {env: found[env] for env in known if env in found}


def _git_files(root: Path, base: str) -> list[str] | None:
    done = subprocess.run(
        ["git", "diff", "--name-only", f"{base}...HEAD"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"changed_envs: git diff failed: {done.stderr.strip()}", file=sys.stderr)
        return None
    return done.stdout.splitlines()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="git ref to compare HEAD with (merge base)")
    parser.add_argument("--files", nargs="*", help="changed files (instead of --base)")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--exclude", nargs="*", default=[], help="environments never listed")
    parser.add_argument("--json", action="store_true", help="a JSON list of {env, scope}")
    args = parser.parse_args(argv)
    if args.files is not None:
        files = args.files
    elif args.base:
        files = _git_files(args.root, args.base)
        if files is None:
            return 1
    else:
        parser.error("give --base REF or --files")
    known = [e for e in environments(args.root) if e not in args.exclude]
    found = scopes(files, known)
    if args.json:
        print(json.dumps([{"env": env, "scope": scope} for env, scope in found.items()]))
    else:
        print(" ".join(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
