"""The arguments of `envman tf ENV -- ARGS`: what the command is, what envman adds, and how
it is written into the audit trail (pure functions, no terraform run here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from envman.errors import UsageError

MASK = "***"


class Access(StrEnum):
    READ = "read"  # never writes state: no lock, no audit
    SETUP = "setup"  # writes the data dir (init, get): under the operation lock
    MUTATE = "mutate"  # changes state: lock, --confirm on protected environments, audit


# Commands that never write the environment's state. Anything not known here is treated as
# state-changing: a new terraform command is audited rather than let through unrecorded.
_READ_ONLY = frozenset(
    {"plan", "show", "output", "console", "validate", "graph", "providers", "version", "fmt"}
    | {"metadata", "modules", "-help", "-h", "--help", "-version", "--version", "-v"}
)
_READ_ONLY_SUB = {
    "state": frozenset({"list", "show", "pull"}),
    "workspace": frozenset({"list", "show"}),
}
_SETUP = frozenset({"init", "get"})
_HELP = frozenset({"-help", "-h", "--help"})  # `state rm -help` only prints help
# Commands that take the environment's var files (the stack's variables are evaluated).
VAR_FILE_COMMANDS = frozenset({"plan", "apply", "import", "refresh", "console"})
# Flags whose value may follow as the next argument (Go's flag package accepts `-f v`).
VALUE_FLAGS = frozenset(
    {"var", "var-file", "target", "replace", "lock-timeout", "parallelism", "state"}
    | {"state-out", "backup", "out", "generate-config-out", "backend-config", "config"}
    | {"provider", "plugin-dir", "from-module", "test-directory", "filter"}
)


@dataclass(frozen=True)
class TfCommand:
    args: tuple[str, ...]  # as the user gave them
    name: str  # "state rm", "import", "console"...
    access: Access

    @property
    def takes_var_files(self) -> bool:
        head = self.name.split(" ")[0]
        if head not in VAR_FILE_COMMANDS:
            return False
        # `apply PLANFILE`: a saved plan already holds its variables; terraform refuses more
        return not (head == "apply" and positionals(self.args[1:]))


def classify(args: Sequence[str]) -> TfCommand:
    """What ARGS ask terraform to do; refuses what envman must do itself."""
    if not args:
        raise UsageError(
            "no terraform command given",
            hint="put terraform's arguments after --: envman tf ENV -- state list",
        )
    first = args[0]
    _refuse_global_option(first)
    sub = args[1] if len(args) > 1 and not args[1].startswith("-") else None
    if asks_help(args):
        return TfCommand(tuple(args), first, Access.READ)
    _refuse_envmans_job(args, first, sub)
    return _command(args, first, sub)


def asks_help(args: Sequence[str]) -> bool:
    """Whether terraform only prints help: a help flag before any `--` (terraform stops
    looking there: `apply -- -h` applies a plan file named `-h`)."""
    end = args.index("--") if "--" in args else len(args)
    return any(arg in _HELP for arg in args[:end])


def _refuse_global_option(first: str) -> None:
    if flag_name(first) == "chdir":
        raise UsageError("-chdir is set by envman (the environment's stack)", hint="leave it out")
    if first.startswith("-") and first not in _READ_ONLY:
        raise UsageError(
            f"terraform's global option {first} is not supported here",
            hint="give the command first: envman tf ENV -- COMMAND [OPTIONS]",
        )


def is_destroy(args: Sequence[str]) -> bool:
    """`destroy`, or an `apply` whose last `-destroy` says true (as terraform reads it)."""
    first = args[0] if args else ""
    return first == "destroy" or (first == "apply" and _has_flag(args[1:], "destroy"))


# What a destroy through tf may say: nothing that changes what is destroyed or with which
# values (it runs as `envman destroy ENV`: the environment's inputs, every resource)
_DESTROY_FLAGS = frozenset(
    {"destroy", "auto-approve", "input", "no-color", "compact-warnings", "lock", "lock-timeout"}
    | {"parallelism"}
)


def destroy_extras(args: Sequence[str]) -> list[str]:
    """The arguments of a destroy that `envman destroy` would not honour (flags of other
    meaning, var files, values, a plan file): refused rather than silently dropped."""
    found = [a for a in args[1:] if a.startswith("-") and flag_name(a) not in _DESTROY_FLAGS]
    return found + positionals(args[1:])


def _refuse_envmans_job(args: Sequence[str], first: str, sub: str | None) -> None:
    """Destroys and workspaces: envman does them (or does without them) itself. A destroy of
    the whole environment becomes `envman destroy` (recorded as kind destroy); a targeted
    one would leave a destroy no release could describe."""
    if is_destroy(args) and any(flag_name(a) in ("target", "replace") for a in args[1:]):
        raise UsageError(
            "a targeted destroy is not run through tf: it would leave no release describing it",
            hint="remove the resource from the stack and run envman apply ENV, or envman destroy ENV",
        )
    extras = destroy_extras(args) if is_destroy(args) else []
    if extras:
        raise UsageError(
            f"tf -- {first} runs as envman destroy (the environment's own inputs, every "
            f"resource): {extras[0]} would be ignored",
            hint="leave it out, or run envman destroy ENV",
        )
    if first == "workspace" and sub not in _READ_ONLY_SUB["workspace"]:
        raise UsageError(
            "terraform workspaces are not used by envman (one state per environment)",
            hint="give each environment its own environments/<name>/ folder",
        )


def _command(args: Sequence[str], first: str, sub: str | None) -> TfCommand:
    if first in _READ_ONLY:
        return TfCommand(tuple(args), first, Access.READ)
    if first in _SETUP:
        return TfCommand(tuple(args), first, Access.SETUP)
    if first in _READ_ONLY_SUB and sub is None:  # `terraform state` alone prints help
        return TfCommand(tuple(args), first, Access.READ)
    if first in _READ_ONLY_SUB:
        name = f"{first} {sub}" if sub else first
        access = Access.READ if sub in _READ_ONLY_SUB[first] else Access.MUTATE
        return TfCommand(tuple(args), name, access)
    return TfCommand(tuple(args), first, Access.MUTATE)


def build_argv(
    command: TfCommand, var_files: Sequence[Path], init_args: Sequence[str]
) -> list[str]:
    """terraform's arguments: the command, envman's var files (or init's backend settings)
    right after it, then the user's own arguments (which win over envman's: terraform takes
    the last value given)."""
    args = list(command.args)
    head = args[:1]
    if command.access is Access.SETUP and command.name == "init":
        return [*head, *init_args, *args[1:]]
    if command.takes_var_files:
        return [*head, *(f"-var-file={path}" for path in var_files), *args[1:]]
    return args


def positionals(args: Sequence[str]) -> list[str]:
    """The arguments that are not flags or flag values."""
    found: list[str] = []
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "--":
            return found + list(args[index + 1 :])
        if arg.startswith("-") and len(arg) > 1:
            skip = "=" not in arg and flag_name(arg) in VALUE_FLAGS
            continue
        found.append(arg)
    return found


def mask_args(args: Sequence[str]) -> list[str]:
    """The command line for the audit trail: every flag value and anything after '=' masked
    (`-var NAME=***`, `-var=NAME=***`, `-lock-timeout=***`, `key=***`)."""
    masked: list[str] = []
    value_follows = False
    for arg in args:
        if value_follows:
            value_follows = False
            masked.append(_mask_value(arg))
        elif arg.startswith("-") and "=" in arg:
            flag, _, value = arg.partition("=")
            masked.append(f"{flag}={_mask_value(value) if flag_name(flag) == 'var' else MASK}")
        elif arg.startswith("-") and flag_name(arg) in VALUE_FLAGS:
            value_follows = True
            masked.append(arg)
        elif "=" in arg:
            masked.append(arg.partition("=")[0] + "=" + MASK)
        else:
            masked.append(arg)
    return masked


def _mask_value(value: str) -> str:
    """`NAME=VALUE` keeps NAME; anything else is masked whole."""
    name, sep, _ = value.partition("=")
    return f"{name}={MASK}" if sep else MASK


def flag_name(arg: str) -> str:
    return arg.lstrip("-").partition("=")[0]


# Go's strconv.ParseBool, which terraform's flags use
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})


def flag_value(args: Sequence[str], name: str) -> bool:
    """A boolean flag as terraform reads it: the LAST occurrence wins (`-destroy=false
    -destroy` destroys), up to the first non-flag argument or `--`."""
    value = False
    skip = False
    for arg in args:
        if skip:  # `-target ADDR`: the flag's value
            skip = False
            continue
        if arg == "--" or not arg.startswith("-") or arg == "-":
            break
        if flag_name(arg) == name:
            _, sep, given = arg.partition("=")
            value = not sep or given in _TRUE
        skip = "=" not in arg and flag_name(arg) in VALUE_FLAGS
    return value


def _has_flag(args: Sequence[str], name: str) -> bool:
    return flag_value(args, name)
