"""Policies: any command, given the plan JSON on stdin; a non-zero exit refuses the plan.

A policy runs without a shell, in the environment's folder (or its ``working_dir``), with
the caller's variables scrubbed as for hooks (no webhook URL, no variable holding a known
secret) and ``ENVMAN_ENVIRONMENT`` set, bounded by its ``timeout``. Its stdout and stderr are kept
(the last ``MAX_OUTPUT`` characters) and redacted before anyone sees them. A policy that
cannot be started or times out is an error, never a pass.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from envman.config.models import Policy
from envman.config.project import Environment
from envman.guard.model import PolicyResult, PolicyStatus
from envman.guard.redact import Redact, identity
from envman.secrets.sources import scrubbed_environment
from envman.timeutil import format_duration

MAX_OUTPUT = 20_000


def run_policies(
    policies: Sequence[Policy],
    plan_json: Path,
    env: Environment,
    redact: Redact = identity,
) -> tuple[PolicyResult, ...]:
    """Run every policy (all of them, so a report shows each result) on PLAN_JSON, with the
    same scrubbed variables as hooks (no webhook URL, no known secret)."""
    variables = {**scrubbed_environment(env, os.environ), "ENVMAN_ENVIRONMENT": env.name}
    return tuple(run_policy(p, plan_json, env.directory, variables, redact) for p in policies)


def run_policy(
    policy: Policy, plan_json: Path, env_dir: Path, variables: dict[str, str], redact: Redact
) -> PolicyResult:
    cwd = (env_dir / policy.working_dir).resolve() if policy.working_dir else env_dir
    shown = shlex.join(policy.command)
    if not cwd.is_dir():
        message = f"working_dir {cwd} of policy {policy.name!r} does not exist"
        return PolicyResult(policy.name, PolicyStatus.ERROR, message)
    try:
        with plan_json.open("rb") as stdin:
            code, raw = _run(policy, stdin, cwd, variables)
    except FileNotFoundError:
        message = f"{shown}: command not found (run from {cwd})"
        return PolicyResult(policy.name, PolicyStatus.ERROR, redact(message))
    except PermissionError:
        message = f"{shown}: not executable"
        return PolicyResult(policy.name, PolicyStatus.ERROR, redact(message))
    except subprocess.TimeoutExpired:
        message = f"{shown}: timed out after {format_duration(policy.timeout)}"
        return PolicyResult(policy.name, PolicyStatus.ERROR, redact(message))
    output = redact(_tail(raw.decode("utf-8", errors="replace")))
    status = PolicyStatus.PASSED if code == 0 else PolicyStatus.REFUSED
    return PolicyResult(policy.name, status, output, code)


def _run(
    policy: Policy, stdin: IO[bytes], cwd: Path, variables: dict[str, str]
) -> tuple[int, bytes]:
    """Run the command in its own process group; on timeout the whole group is killed."""
    child = subprocess.Popen(
        policy.command,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        env=variables,
        start_new_session=True,
    )
    try:
        out, _ = child.communicate(timeout=policy.timeout.total_seconds())
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        raise
    return child.returncode, out


def _tail(text: str) -> str:
    text = text.strip()
    if len(text) <= MAX_OUTPUT:
        return text
    return "… (output cut)\n" + text[-MAX_OUTPUT:]
