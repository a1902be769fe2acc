"""Command-line plumbing that is not a command: a group with a default subcommand, click's
usage errors mapped to envman's exit codes, help without type clutter."""

from __future__ import annotations

from typing import Any

from typer import _click as click  # typer vendors click (0.29); its exceptions are these
from typer._click.exceptions import UsageError
from typer.core import TyperArgument, TyperGroup, TyperOption, _TyperParameter

from envman.errors import EXIT_ERROR


class TidyGroup(TyperGroup):
    """A group whose help is readable: command summaries never cut, arguments shown as
    ``ENV`` / ``[ENV]...`` (not ``{environment}`` / ``[[ENV]...]...``), no ``<str>``-style
    type clutter (choices stay: ``<text|json|markdown|junit>``)."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            tidy(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, summary(command)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def summary(command: click.Command) -> str:
    """The first paragraph of a command's help, whole."""
    text = command.short_help or (command.help or "").split("\n\n")[0]
    return " ".join(text.split())


def tidy(command: click.Command) -> None:
    """Plain argument names and no type labels in ``command``'s help (idempotent)."""
    if getattr(command, "_envman_tidy", False):
        return
    from envman.cli_coercion import plain_params
    from envman.completion import attach

    attach(command)  # environments, components and format choices complete on <TAB>
    plain_params(command)  # str, int, Path values without building pydantic adapters
    for param in command.params:
        if isinstance(param, _TyperParameter) and not param.type_descriptor.is_choice:
            param.display_type = _no_type  # type: ignore[method-assign]
        if isinstance(param, TyperOption) and "(default" in (param.help or ""):
            param.show_default = False  # the help says its default: once, not twice
        if isinstance(param, TyperArgument) and param.name:
            base = (param.metavar or param.name).strip("[].").upper()
            param.metavar = f"{base}..." if param.nargs != 1 else base
    command.collect_usage_pieces = lambda ctx: _usage_pieces(command, ctx)  # type: ignore[method-assign]
    command._envman_tidy = True  # type: ignore[attr-defined]


def _no_type(ctx: click.Context) -> str:
    return ""


def _usage_pieces(command: click.Command, ctx: click.Context) -> list[str]:
    pieces = [command.options_metavar] if command.options_metavar else []
    if isinstance(command, TyperGroup):
        pieces.append("COMMAND [ARGS]...")
    for param in command.get_params(ctx):
        if isinstance(param, TyperArgument):
            name = str(param.metavar)
            pieces.append(name if param.required else f"[{name}]")
    return pieces


class DefaultCommandGroup(TidyGroup):
    """A command group whose first subcommand runs when no subcommand is named:
    ``envman drift dev`` is ``envman drift check dev``. A word that is a subcommand's name is
    that subcommand; ``drift check ack`` checks an environment named ``ack``."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        help_options = set(ctx.help_option_names)
        if not args and ctx.resilient_parsing:  # shell completion: offer the subcommands
            return super().parse_args(ctx, args)
        if not args or (args[0] not in self.commands and args[0] not in help_options):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        # the default first, then in the order they were defined
        return list(self.commands)


class EnvmanGroup(TidyGroup):
    """The top-level group: a usage error (unknown option, missing argument, bad value)
    exits 1 with click's message, never 2 (which means "changes or drift found")."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from envman.cli_coercion import plain_params

        plain_params(self)  # --project and the other options of every command
        try:
            return super().parse_args(ctx, args)
        except UsageError as exc:
            _with_envman_exit_code(exc)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            _with_envman_exit_code(exc)
            raise


def _with_envman_exit_code(exc: UsageError) -> None:
    """The same error (same message, same help) with envman's exit code for errors."""
    object.__setattr__(exc, "exit_code", EXIT_ERROR)  # an instance value over click's class one
