"""The `envman ...` examples of README.md and docs/, a check of one against the CLI's parser,
and the guides' ``sh`` blocks as steps a test runs."""

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

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GETTING_STARTED = ROOT / "docs" / "getting-started.md"
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
                    found.append(Example(number, first_command(command), complete=True))
            continue
        found.extend(Example(number, span, complete=False) for span in _SPAN.findall(line))
    return [e for e in found if not any(m in e.command for m in _METASYNTAX)]


def first_command(line: str) -> str:
    """The first command of a shell line: up to the first ``;``, ``&&``, ``|`` or redirection."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    words: list[str] = []
    for word in lexer:
        if word and set(word) <= set(";&|<>"):
            break
        words.append(word)
    return shlex.join(words)


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


def documents() -> list[Path]:
    """README.md and every guide under docs/ (the generated reference aside)."""
    docs = sorted(p for p in (ROOT / "docs").rglob("*.md") if "reference" not in p.parts)
    return [README, *docs]


def sh_blocks(text: str) -> list[list[str]]:
    """The lines of every ``sh`` code block: the blocks a guide means to be run as written."""
    blocks: list[list[str]] = []
    fence: str | None = None
    for line in text.splitlines():
        opened = _FENCE.match(line.strip())
        if opened:
            fence = None if fence is not None else opened.group(1)
            if fence == "sh":
                blocks.append([])
            continue
        if fence == "sh":
            blocks[-1].append(line)
    return blocks


@dataclass(frozen=True)
class Step:
    """One step of a shell block: ``mkdir``, ``cd``, ``write`` (a heredoc) or ``envman``."""

    kind: str
    args: tuple[str, ...]
    body: str = ""


def steps(lines: list[str]) -> list[Step]:
    """The steps of shell lines, in order. Only what a guide needs is understood: ``mkdir -p``,
    ``cd``, ``cat > FILE <<'EOF'`` heredocs, ``envman ...`` and ``&&``; anything else is an
    error (so a guide cannot hold a step the test silently leaves out)."""
    found: list[Step] = []
    index = 0
    while index < len(lines):
        line = lines[index].split("  #")[0].strip()
        index += 1
        if not line or line.startswith("#"):
            continue
        heredoc = re.fullmatch(r"cat > (\S+) <<'EOF'", line)
        if heredoc:
            end = lines.index("EOF", index)
            found.append(Step("write", (heredoc.group(1),), "\n".join(lines[index:end]) + "\n"))
            index = end + 1
            continue
        for part in line.split("&&"):
            words = shlex.split(part)
            if words[0] == "mkdir":
                found.append(Step("mkdir", tuple(w for w in words[1:] if w != "-p")))
            elif words[0] in ("cd", "envman"):
                found.append(Step(words[0], tuple(words[1:])))
            else:
                raise ValueError(f"a guide's sh block runs {part.strip()!r}: not understood")
    return found
