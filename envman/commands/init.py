"""envman init: adopt envman in a terraform repository (or an empty folder).

Writes environments/<env>/environment.hcl for each environment named, .gitignore entries and,
with --ci github, a workflow; never touches state or an existing file (see docs/adopting.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from envman import __version__
from envman.adopt.changes import InitRequest, plan_init, write_change
from envman.commands import AppContext
from envman.errors import EXIT_OK, UsageError

CI_CHOICES = ("github",)


@dataclass(frozen=True)
class InitOptions:
    environments: tuple[str, ...]
    stack: Path | None = None
    ci: str | None = None
    dry_run: bool = False


def _root(ctx: AppContext) -> Path:
    given = ctx.project_dir or (
        Path(os.environ["ENVMAN_PROJECT"]) if os.environ.get("ENVMAN_PROJECT") else None
    )
    root = (given or Path.cwd()).expanduser().resolve()
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder", hint="create it, or pass --project DIR")
    return root


def _check(options: InitOptions) -> None:
    from envman.config.names import RULE, is_identifier

    if options.ci is not None and options.ci not in CI_CHOICES:
        raise UsageError(f"--ci {options.ci}: unknown CI", hint="use --ci github")
    for name in options.environments:
        if not is_identifier(name):
            raise UsageError(f"invalid environment name '{name}'", hint=f"use {RULE}")


def run_init(ctx: AppContext, options: InitOptions) -> int:
    _check(options)
    root = _root(ctx)
    names = tuple(dict.fromkeys(options.environments or ("dev",)))  # each name once
    plan = plan_init(InitRequest(root, names, options.stack, options.ci, __version__))
    console = ctx.console()
    shown = _relative(plan.stack.directory, root)
    kind = plan.stack.backend.type or "none declared (local)"
    console.print(f"stack: {shown} (backend: {kind})")
    for path in plan.kept:
        console.print(f"kept {_relative(path, root)} (already there)")
    if not plan.changes:
        console.print("Nothing to do: envman is already set up here.")
        return EXIT_OK
    for change in plan.changes:  # each said once it is written (or would be)
        if not options.dry_run:
            write_change(change)
        verb = "would " + change.action if options.dry_run else change.action.done
        console.print(f"{verb} {_relative(change.path, root)} ({change.why})", markup=False)
        if options.dry_run:
            console.print(_indent(change.text), markup=False)
    for note in plan.notes:
        console.print(f"note: {note}", markup=False)
    if options.dry_run:
        console.print("Dry run: nothing was written.")
    else:
        console.print(
            f"Done. State untouched. Next: envman validate, then envman plan {names[0]} "
            "(docs/adopting.md)."
        )
    return EXIT_OK


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root)) or "."
    except ValueError:
        return str(path)


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.rstrip("\n").splitlines())
