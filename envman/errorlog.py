"""The one error handler (pre-commit's way): one line on stderr, the details in a log file.

Every error that ends a command is written to ``.envman/envman.log`` under the project (or the
current folder when there is no project): the time, the command line, the versions (envman,
Python, terraform when it ran) and the full traceback. ``-v`` also prints the traceback.

Two kinds of error are told apart:

- a *user error* (``EnvmanError``: bad config, a refusal, terraform failing...): its one-line
  message, and its exit code;
- a *bug* in envman (any other exception): ``internal error: ... this is a bug in envman,
  please report it; traceback in .envman/envman.log``, exit 1.

Ctrl-C is not an error: ``interrupted``, exit 130, nothing logged.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from envman import __version__
from envman.errors import EXIT_ERROR, EXIT_INTERRUPTED, EnvmanError
from envman.timeutil import iso, now

LOG_NAME = "envman.log"
MAX_LOG_BYTES = 1_000_000  # then the log is moved to envman.log.1 (one old log is kept)
_versions: dict[str, str] = {}


def note_version(tool: str, version: str) -> None:
    """Remember a tool's version for the log (e.g. terraform's, once it has been found)."""
    _versions[tool] = version


def versions() -> dict[str, str]:
    return {
        "envman": __version__,
        "python": platform.python_version(),
        **_versions,
    }


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    line: str  # the one line for stderr, without the "envman: error: " prefix
    bug: bool
    log: Path | None  # where the details went (None when they could not be written)
    error: bool = True  # False: a stop the user asked for ("declined"), not an error


def handle(exc: BaseException, log_dir: Path, show: Callable[[str], None] | None = None) -> Outcome:
    """Log ``exc`` with its traceback under ``log_dir`` and say what to print and return.

    ``show`` (for ``-v``) receives the log entry as well."""
    if isinstance(exc, KeyboardInterrupt):
        return Outcome(EXIT_INTERRUPTED, "interrupted", bug=False, log=None)
    if isinstance(exc, EnvmanError) and not exc.is_error:
        return Outcome(exc.exit_code, str(exc), bug=False, log=None, error=False)
    bug = not isinstance(exc, EnvmanError)
    entry = log_entry(exc)
    log = write_log(log_dir, entry)
    if show is not None:
        show(entry)
    if not bug:
        assert isinstance(exc, EnvmanError)
        return Outcome(exc.exit_code, str(exc), bug=False, log=log)
    where = f"traceback in {_display(log)}" if log else "run with -v for the traceback"
    line = (
        f"internal error: {type(exc).__name__}: {exc}; this is a bug in envman, "
        f"please report it ({where})"
    )
    return Outcome(EXIT_ERROR, line, bug=True, log=log)


def bug_report(exc: BaseException, log_dir: Path) -> str:
    """For a bug caught where one failure must not stop the rest (one environment's drift
    check): the traceback goes to the log, and this one line says it is a bug."""
    return handle(exc, log_dir).line


def log_entry(exc: BaseException) -> str:
    """The log's entry for ``exc``, redacted like everything envman stores (docs/security.md):
    known sensitive values replaced, and every --set value masked in the command line."""
    from envman.secrets.redactor import redact_stored

    header = " ".join(f"{k} {v}" for k, v in versions().items())
    kind = "user error" if isinstance(exc, EnvmanError) else "internal error (bug)"
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return redact_stored(
        f"=== {iso(now())} {kind}\n"
        f"command: envman {' '.join(masked_argv(sys.argv[1:]))}\n"
        f"versions: {header}\n"
        f"{trace}"
    )


def masked_argv(argv: list[str]) -> list[str]:
    """The command line with the value of every --set NAME=VALUE masked (it may be a secret;
    an item without '=' is masked whole: it may be a value typed in the wrong place)."""
    masked: list[str] = []
    after_set = False
    for arg in argv:
        if after_set:
            arg = _mask_item(arg)
        elif arg.startswith("--set="):
            arg = "--set=" + _mask_item(arg.removeprefix("--set="))
        after_set = arg == "--set"
        masked.append(arg)
    return masked


def _mask_item(item: str) -> str:
    name, sep, _ = item.partition("=")
    return f"{name}=***" if sep else "***"


def write_log(log_dir: Path, entry: str) -> Path | None:
    """Append ``entry`` to the log (owner-only: it can name paths and values); None if the
    log cannot be written (a read-only folder must not hide the error itself)."""
    path = log_dir / LOG_NAME
    if log_dir.is_symlink():  # envman never writes through a symlinked folder of its own
        return None
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
            path.replace(path.with_name(LOG_NAME + ".1"))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle_:
            handle_.write(entry if entry.endswith("\n") else entry + "\n")
    except OSError:
        return None
    return path


def fallback_log_dir() -> Path:
    """Where the log goes outside a project (pre-commit's place: the user's cache)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "envman"


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
