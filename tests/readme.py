"""The README's `envman ...` examples, and a check of one against the CLI's parser."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from typer import Exit
from typer._click.exceptions import MissingParameter, UsageError
from typer.core import TyperGroup
from typer.main import get_command

from envman.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
_FENCE = re.compile(r"^```(\w*)\s*$")
_SPAN = re.compile(r"`(envman [^`]+)`")
_METASYNTAX = ("[", "|", "...", "<", "…")
_ACTING = ("--install-completion", "--show-completion")


@dataclass(frozen=True)
class Example:
    line: int
    command: str
    complete: bool  # a command line to run (code block), not a mention in prose


def examples(text: str) -> list[Example]:
    """Every concrete `envman ...` example: lines of shell code blocks (``$ `` prompts and
    trailing comments removed; complete command lines) and `envman ...` code spans in prose
    (they may name a command without its arguments: "a warm `envman plan`"). Synopsis lines
    with metasyntax (``[ENV...]``, ``a|b``, ``<value>``) are skipped."""
    found: list[Example] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        opened = _FENCE.match(line.strip())
        if opened:
            fence = None if fence is not None else opened.group(1)
            continue
        if fence is not None:
            if fence in ("", "sh", "shell", "bash", "console"):
                command = line.strip().removeprefix("$ ")
                command = command.split("  #")[0].split(" # ")[0].strip()
                if command.startswith("envman ") or command == "envman":
                    found.append(Example(number, command, complete=True))
            continue
        found.extend(Example(number, span, complete=False) for span in _SPAN.findall(line))
    return [e for e in found if not any(m in e.command for m in _METASYNTAX)]


def check(command: str, *, complete: bool = True) -> None:
    """Parse ``command`` with envman's CLI exactly as it would run, without running it.
    Raises click's UsageError for an unknown command or option, a bad value, a missing
    argument (unless not ``complete``: a command named in prose)."""
    args = shlex.split(command)[1:]
    root = get_command(app)
    acting = [a for a in args if a in _ACTING]
    if acting:  # options that act while parsing (they would install completion): exist?
        known = {o for p in root.params for o in p.opts}
        missing = [a for a in acting if a not in known]
        if missing:
            raise UsageError(f"no such option {missing[0]}")
        return
    try:
        context = root.make_context("envman", args)
        _descend(root, context)
    except Exit:  # --version, --help: eager options that end the parse
        return
    except MissingParameter:
        if complete:
            raise


def _descend(group: object, context: object) -> None:
    assert isinstance(group, TyperGroup)
    rest = [*context._protected_args, *context.args]  # type: ignore[attr-defined]
    if not rest:
        return
    name, command, remaining = group.resolve_command(context, rest)  # type: ignore[arg-type]
    if command is None:
        raise UsageError(f"no such command {name!r}")
    sub = command.make_context(str(name), list(remaining), parent=context)  # type: ignore[arg-type]
    if isinstance(command, TyperGroup):
        _descend(command, sub)
