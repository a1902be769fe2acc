"""Running the terraform binary: environment, process, streamed JSON, signals, diagnostics.

terraform runs in its own session (process group). Runs that stream -json write it to an
event log file (the run's, docs/releases.md) that envman follows, and stderr to a file beside
it: if envman dies, terraform finishes or stops on its own, saves state and releases its lock.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from typing import IO, Any

from envman.errors import Interrupted, TerraformError
from envman.secrets.files import redact_file
from envman.terraform import signals
from envman.terraform.binary import Binary
from envman.terraform.completed import Completed as Completed
from envman.terraform.completed import Diagnostic as Diagnostic
from envman.terraform.errors import failure_message as failure_message
from envman.terraform.errors import terraform_error
from envman.terraform.eventlog import event_log
from envman.terraform.eventlog import follow as follow_log

Event = dict[str, Any]
EventHandler = Callable[[Event], None]

# The caller's variables that would change what terraform does behind envman's back (extra
# arguments such as -destroy or -target, another workspace, data dir or log file, providers
# reattached from a debugger): terraform's environment is envman's (docs/operations.md,
# "Security rules").
_SCRUBBED_PREFIXES = ("TF_CLI_ARGS", "TF_LOG")
_SCRUBBED_NAMES = frozenset({"TF_WORKSPACE", "TF_DATA_DIR", "TF_REATTACH_PROVIDERS"})
# Set by envman itself for its unattended runs: the caller's value is replaced silently.
_REPLACED = frozenset({"TF_INPUT", "TF_IN_AUTOMATION", "CHECKPOINT_DISABLE"})
_warned: set[str] = set()
CHILD_UMASK = 0o077


def ignored_variables(environ: Mapping[str, str]) -> list[str]:
    """The caller's variables terraform never gets from envman, sorted."""
    return sorted(
        name for name in environ if name in _SCRUBBED_NAMES or name.startswith(_SCRUBBED_PREFIXES)
    )


def forget_warnings() -> None:
    """A new command: its first terraform run warns again."""
    _warned.clear()


def warn_ignored(environ: Mapping[str, str], say: Callable[[str], None]) -> None:
    """One warning line per command naming the variables ignored (never their values)."""
    names = [n for n in ignored_variables(environ) if n not in _warned]
    if not names:
        return
    _warned.update(names)
    say(
        f"warning: ignoring {', '.join(names)} from the environment: envman runs terraform "
        "with its own settings (see docs/operations.md)"
    )


@dataclass(frozen=True)
class Follow:
    """A run envman follows: terraform writes its -json lines to the event log ``events``
    (a temporary file when None), each one goes to ``on_event``; ``on_start`` gets the pid."""

    on_event: EventHandler
    events: Path | None = None
    on_start: Callable[[int], None] | None = None


@dataclass(frozen=True)
class Terraform:
    """How to run terraform for one environment: binary, stack folder, environment."""

    binary: Binary
    stack_dir: Path
    env: Mapping[str, str]
    owner: tuple[str, str | None] | None = None  # (environment, component) named in hints

    def run(
        self,
        args: Sequence[str],
        *,
        follow: Follow | None = None,
        consume_stdout: Callable[[IO[bytes]], None] | None = None,
        check: bool = True,
        what: str | None = None,
    ) -> Completed:
        """Run `terraform -chdir=<stack> ARGS`. With ``follow``, terraform writes its -json
        lines to the event log ``follow.events`` (a file, never a pipe: terraform outlives
        envman) and envman follows it; with consume_stdout, stdout is handed over as a stream."""
        label = what or f"terraform {args[0]}"
        if follow is not None:
            with event_log(follow.events) as log:
                return self._run_logged(list(args), label, follow, log, check)
        return self._run_piped(list(args), label, consume_stdout, check)

    def _argv(self, args: Sequence[str]) -> list[str]:
        return [self.binary.path, f"-chdir={self.stack_dir}", *args]

    def _start(self, args: list[str], label: str, stdout: Any, stderr: Any) -> Popen[bytes]:
        try:
            return subprocess.Popen(
                self._argv(args),
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                env=dict(self.env),
                start_new_session=True,  # its own process group: our Ctrl-C or death is not its
                umask=CHILD_UMASK,  # what it writes (plan.tfplan, state, logs) is owner-only
            )
        except OSError as exc:
            raise TerraformError(f"{label}: cannot start {self.binary.path}: {exc}") from None

    def _run_logged(
        self, args: list[str], label: str, follow: Follow, log: Path, check: bool
    ) -> Completed:
        on_event, on_start = follow.on_event, follow.on_start
        err_path = log.with_name(log.name + ".stderr")
        with _private(log) as out, _private(err_path) as err:
            child = self._start(args, label, out, err)
        signals.register(child)
        diagnostics: list[Diagnostic] = []

        def handle(event: Event) -> None:
            if event.get("type") == "diagnostic":
                diagnostics.append(diagnostic_from_json(event.get("diagnostic", {})))
            on_event(event)

        try:
            if on_start is not None:
                on_start(child.pid)
            follow_log(log, child, handle)
            returncode = child.wait()
        finally:
            if child.poll() is None:
                child.wait()
            signals.unregister(child)
            for done in (log, err_path):  # whatever the outcome: what stays holds no secret
                redact_file(done)
        stderr = err_path.read_text("utf-8", "replace") if err_path.exists() else ""
        diagnostics.extend(diagnostics_from_text(stderr))
        return _finish(
            label, Completed(args, returncode, b"", stderr, diagnostics), check, self.owner
        )

    def _run_piped(
        self,
        args: list[str],
        label: str,
        consume_stdout: Callable[[IO[bytes]], None] | None,
        check: bool,
    ) -> Completed:
        child = self._start(args, label, subprocess.PIPE, subprocess.PIPE)
        signals.register(child)
        stderr_chunks: list[bytes] = []
        reader = threading.Thread(target=_drain, args=(child, stderr_chunks), daemon=True)
        reader.start()
        stdout = b""
        unreadable: Exception | None = None
        try:
            assert child.stdout is not None
            if consume_stdout is not None:
                try:
                    consume_stdout(child.stdout)
                except Exception as exc:  # reported after terraform's own failure, if any
                    unreadable = exc
                finally:
                    for _ in iter(lambda: child.stdout.read(65536) if child.stdout else b"", b""):
                        pass  # drain: terraform must never block on a full pipe
            else:
                stdout = child.stdout.read()
            returncode = child.wait()
        finally:
            if child.poll() is None:
                child.wait()
            signals.unregister(child)
            reader.join(timeout=5)
        stderr = b"".join(stderr_chunks).decode("utf-8", "replace")
        diagnostics: list[Diagnostic] = []
        if "-json" in args and args[0] in ("validate",):
            diagnostics.extend(_validate_diagnostics(stdout))
        diagnostics.extend(diagnostics_from_text(stderr))
        done = _finish(
            label, Completed(args, returncode, stdout, stderr, diagnostics), check, self.owner
        )
        if unreadable is not None:
            raise unreadable
        return done


def _private(path: Path) -> IO[bytes]:
    """An owner-only file, truncated (never through a symlink)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
    return os.fdopen(os.open(path, flags, 0o600), "wb")


def _finish(
    label: str, done: Completed, check: bool, owner: tuple[str, str | None] | None = None
) -> Completed:
    if signals.interrupted():
        raise Interrupted(
            f"{label} was interrupted; terraform stopped cleanly and released its lock",
            hint="run the command again when ready",
        )
    if check and done.returncode != 0:
        environment, component = owner or (None, None)
        raise terraform_error(label, done, environment=environment, component=component)
    return done


def _drain(child: subprocess.Popen[bytes], chunks: list[bytes]) -> None:
    assert child.stderr is not None
    for chunk in iter(lambda: child.stderr.read(65536) if child.stderr else b"", b""):
        chunks.append(chunk)


def diagnostic_from_json(data: Mapping[str, Any]) -> Diagnostic:
    rng = data.get("range") or {}
    start = rng.get("start") or {}
    return Diagnostic(
        severity=str(data.get("severity", "error")),
        summary=str(data.get("summary", "")).strip(),
        detail=str(data.get("detail", "")).strip(),
        filename=rng.get("filename"),
        line=start.get("line"),
    )


def _validate_diagnostics(stdout: bytes) -> list[Diagnostic]:
    try:
        data = json.loads(stdout)
    except ValueError:
        return []
    return [diagnostic_from_json(d) for d in data.get("diagnostics", [])]


def diagnostics_from_text(stderr: str) -> list[Diagnostic]:
    """terraform's human diagnostics ('Error: summary' then detail lines in a box)."""
    found: list[Diagnostic] = []
    lines = [line.lstrip("│╷╵ ").rstrip() for line in stderr.splitlines()]
    index = 0
    while index < len(lines):
        line = lines[index]
        for severity in ("Error", "Warning"):
            if line.startswith(f"{severity}: "):
                detail: list[str] = []
                j = index + 1
                while j < len(lines) and not lines[j].startswith(("Error: ", "Warning: ")):
                    if lines[j]:
                        detail.append(lines[j])
                    j += 1
                found.append(
                    Diagnostic(severity.lower(), line[len(severity) + 2 :], " ".join(detail))
                )
        index += 1
    return found


# terraform and its providers are Go programs that allocate heavily while they load provider
# schemas (every terraform run starts the provider two to four times). Go's default collector
# (GOGC=100) spends a third of that CPU time collecting; GOGC=400 cuts a plan's CPU by ~25% for
# ~5% more memory, and GOMEMLIMIT keeps a large stack from growing past 2 GiB a process. Only
# when the user set neither: their own settings always win (GOGC=100 restores Go's default).
GO_RUNTIME_DEFAULTS = {"GOGC": "400", "GOMEMLIMIT": "2GiB"}


def go_runtime_settings(environ: Mapping[str, str]) -> dict[str, str]:
    if any(name in environ for name in GO_RUNTIME_DEFAULTS):
        return {}
    return dict(GO_RUNTIME_DEFAULTS)


def base_environment(
    data_dir: Path, cli_config: Path | None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    ignored = set(ignored_variables(os.environ))
    env = {k: v for k, v in os.environ.items() if k not in ignored and k not in _REPLACED}
    env.update(go_runtime_settings(env))
    env.update(
        {
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "TF_DATA_DIR": str(data_dir),
        }
    )
    if cli_config is not None:
        env["TF_CLI_CONFIG_FILE"] = str(cli_config)
    if extra:
        env.update(extra)
    return env
