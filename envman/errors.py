"""Errors and the exit codes they map to (docs/commands.md)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_REFUSED = 3
EXIT_VERIFY_FAILED = 4
EXIT_INTERRUPTED = 130


class EnvmanError(Exception):
    """An error with a one-line message for the user and the exit code it maps to."""

    exit_code = EXIT_ERROR
    is_error = True  # False: the command stopped as asked (said without "error:", not logged)

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class ConfigError(EnvmanError):
    """Bad configuration; the message names file, line and key."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
        column: int | None = None,
    ) -> None:
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
            if line and column:
                where = f"{path}:{line}:{column}: "
        super().__init__(f"{where}{message}", hint=hint)
        self.path = path
        self.line = line
        self.column = column


class UsageError(EnvmanError):
    """Bad command-line input."""


class TerraformError(EnvmanError):
    """terraform failed; the message carries its diagnostics."""


class ProtectionRefused(EnvmanError):
    """A protection rule refused the operation (confirmation, deny day, freeze, soak...)."""

    exit_code = EXIT_REFUSED


class Declined(ProtectionRefused):
    """The user answered no: nothing changed. Not an error, but not a success either, so a
    script never takes it for a done change: exit 3 like every refusal (docs/commands.md)."""

    is_error = False


class Interrupted(EnvmanError):
    """The run was interrupted by Ctrl-C or SIGTERM."""

    exit_code = EXIT_INTERRUPTED


class LockHeld(EnvmanError):
    """Another envman operation holds the environment's lock."""
