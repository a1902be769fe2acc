"""Run an environment's hooks for an event: in file order, no shell, streamed, bounded.

Each hook gets the parent's environment plus the environment's AWS settings (the same
identity terraform gets), ``ENVMAN_ENVIRONMENT``, ``ENVMAN_EVENT`` and one
``ENVMAN_OUTPUT_<NAME>`` per non-sensitive output (strings as they are, other values as JSON).
Its stdout and stderr go to envman's stderr line by line, prefixed ``[<env> <event>] ``, with
the run's sensitive values redacted. Variables that hold webhook URLs or a known sensitive value
(``TF_VAR_`` of a sensitive variable) are not passed on; the AWS settings are added after.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from typing import IO

from envman.config.models import Hook
from envman.config.project import Environment
from envman.errors import EnvmanError
from envman.secrets.redactor import redact
from envman.secrets.sources import remember_environment_inputs, scrubbed_environment
from envman.terraform.models import OutputValue
from envman.timeutil import format_duration

OUTPUT_PREFIX = "ENVMAN_OUTPUT_"


class HookFailed(EnvmanError):
    """A hook exited non-zero, timed out or could not be started."""


def output_variable(name: str) -> str:
    return OUTPUT_PREFIX + re.sub(r"[^A-Z0-9_]", "_", name.upper())


def hook_environment(
    env: Environment, event: str, outputs: Mapping[str, OutputValue], base: Mapping[str, str]
) -> dict[str, str]:
    """The variables a hook runs with (sensitive outputs are never among them)."""
    scrubbed = scrubbed_environment(env, base)  # no webhook URL, no known secret
    values = {k: v for k, v in scrubbed.items() if not k.startswith(OUTPUT_PREFIX)}
    values.update(_aws_env(env))
    values["ENVMAN_ENVIRONMENT"] = env.name
    values["ENVMAN_EVENT"] = event
    for name, output in sorted(outputs.items()):
        if output.sensitive:
            continue
        value = output.value
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        values[output_variable(name)] = text
    return values


def _aws_env(env: Environment) -> dict[str, str]:
    if env.config.aws is None:
        return {}
    from envman.aws.session import terraform_child_env

    return terraform_child_env(env)


def run_hooks(env: Environment, event: str, outputs: Mapping[str, OutputValue]) -> None:
    """Run the environment's hooks for EVENT; raise HookFailed when one fails."""
    hooks = [hook for hook in env.config.hook if hook.event == event]
    if not hooks:
        return
    remember_environment_inputs(env)
    variables = hook_environment(env, event, outputs, os.environ)
    for hook in hooks:
        _run_one(env, event, hook, variables)


def _run_one(env: Environment, event: str, hook: Hook, variables: dict[str, str]) -> None:
    shown = shlex.join(hook.command)
    cwd = (env.directory / hook.working_dir).resolve() if hook.working_dir else env.directory
    prefix = f"[{env.name} {event}] "
    if not cwd.is_dir():
        raise HookFailed(
            f"{event} hook `{shown}`: working_dir {cwd} does not exist",
            hint=f'fix hook "{event}" in {env.config_path}',
        )
    _emit(f"{prefix}$ {shown}")
    try:
        process = subprocess.Popen(
            hook.command,
            cwd=cwd,
            env=variables,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise HookFailed(
            f"{event} hook `{shown}` could not start: {exc.strerror or exc}",
            hint=f"check the command in {env.config_path}",
        ) from None
    assert process.stdout is not None
    reader = threading.Thread(target=_stream, args=(process.stdout, prefix), daemon=True)
    reader.start()
    seconds = hook.timeout.total_seconds()
    try:
        code = process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        _kill(process)
        reader.join(timeout=5)
        raise HookFailed(
            f"{event} hook `{shown}` timed out after {format_duration(hook.timeout)}",
            hint="raise the hook's timeout or make it faster",
        ) from None
    except KeyboardInterrupt:
        _kill(process)
        raise
    reader.join(timeout=5)
    if code != 0:
        raise HookFailed(f"{event} hook `{shown}` failed with exit code {code}")


def _stream(pipe: IO[bytes], prefix: str) -> None:
    with pipe:
        for raw in iter(pipe.readline, b""):
            _emit(prefix + raw.decode("utf-8", errors="replace").rstrip("\r\n"))


def _emit(line: str) -> None:
    stream = sys.stderr
    stream.write(redact(line) + "\n")
    stream.flush()


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Stop the hook and anything it started (its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except (ProcessLookupError, PermissionError):
        pass
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
